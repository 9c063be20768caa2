/*
 * Copyright 2026 The seckill authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.seckill.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.spi.ConfirmedOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Flush throughput of {@link JdbcOrderSink}: stores N new orders in batches of 100, 1,000 and
 * 10,000 into H2 (a file database in a temporary directory), PostgreSQL and MariaDB through a
 * HikariCP pool, from one thread (one shard's flusher), summary off and on, and prints orders/s.
 * Not a test and no assertions: run by hand, on a quiet machine.
 *
 * <pre>
 * cd /work/main &amp;&amp; mvn -B -q -pl seckill-jdbc-adapter test-compile exec:java \
 *     -Dexec.mainClass=dev.seckill.jdbc.FlushThroughputMain -Dexec.classpathScope=test \
 *     -Dexec.args=200000
 * </pre>
 *
 * PostgreSQL and MariaDB are taken from {@code SECKILL_IT_POSTGRES_URL} and
 * {@code SECKILL_IT_MYSQL_URL} and skipped if unset. Each database gets one warm-up pass that is
 * not printed; every measured run starts from an empty table.
 */
public final class FlushThroughputMain {
  private static final String TABLE = "seckill_flush_bench";
  private static final String SUMMARY = "seckill_flush_bench_sum";
  private static final Instant T0 = Instant.parse("2026-11-11T00:00:00Z");
  private static final int[] BATCHES = {100, 1_000, 10_000};

  private FlushThroughputMain() {}

  /** Argument: orders per run (default 200,000). */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    List<ConfirmedOrder> orders = new ArrayList<>(n);
    for (long id = 1; id <= n; id++) {
      orders.add(new ConfirmedOrder(id, "sale-" + (id % 8), "user-" + (id * 7919 % 1_000_003),
          1 + (int) (id % 2), T0.plusMillis(id)));
    }
    System.out.printf("JdbcOrderSink flush throughput: %,d new orders per run, one thread,"
        + " one transaction per batch; JDK %s, %d cores%n", n, Runtime.version(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf("%-12s %8s %16s %16s%n", "database", "batch", "orders/s", "orders/s");
    System.out.printf("%-12s %8s %16s %16s%n", "", "", "(no summary)", "(with summary)");

    Path dir = Files.createTempDirectory("seckill-flush-bench");
    run("H2 (file)", "jdbc:h2:file:" + dir.resolve("bench") + ";DB_CLOSE_ON_EXIT=FALSE", orders);
    String pg = System.getenv("SECKILL_IT_POSTGRES_URL");
    if (pg != null) {
      run("PostgreSQL", pg, orders);
    }
    String my = System.getenv("SECKILL_IT_MYSQL_URL");
    if (my != null) {
      run("MariaDB", my, orders);
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static void run(String name, String url, List<ConfirmedOrder> orders) throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(2);
    config.setPoolName("flush-bench");
    try (HikariDataSource pool = new HikariDataSource(config)) {
      measure(pool, orders.subList(0, Math.min(orders.size(), 20_000)), 1_000, true); // warm-up
      for (int batch : BATCHES) {
        double plain = measure(pool, orders, batch, false);
        double summary = measure(pool, orders, batch, true);
        System.out.printf("%-12s %,8d %,16.0f %,16.0f%n", name, batch, plain, summary);
      }
    }
  }

  /** Orders per second storing {@code orders} in batches of {@code batch} into empty tables. */
  private static double measure(HikariDataSource pool, List<ConfirmedOrder> orders, int batch,
      boolean summary) throws Exception {
    TestDatabases.drop(pool, TABLE, SUMMARY);
    JdbcOrderSink.Builder b = JdbcOrderSink.builder(pool).table(TABLE).createSchemaIfMissing(true);
    if (summary) {
      b.stockSummary(true).summaryTable(SUMMARY);
    }
    try (JdbcOrderSink sink = b.build()) {
      long start = System.nanoTime();
      for (int i = 0; i < orders.size(); i += batch) {
        sink.store(orders.subList(i, Math.min(orders.size(), i + batch)));
      }
      return orders.size() / ((System.nanoTime() - start) / 1e9);
    } finally {
      TestDatabases.drop(pool, TABLE, SUMMARY);
    }
  }
}
