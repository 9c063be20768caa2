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

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.PurchaseRequest;
import dev.seckill.Sale;
import dev.seckill.SaleSnapshot;
import dev.seckill.SeckillEngine;
import dev.seckill.spi.ConfirmedOrder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code kill -9} of an engine JVM while batches are being flushed into a real database; a new
 * engine on the same data directory flushes what was left. The database must hold every order
 * the ledger confirmed, once each, and every order the dead JVM acknowledged.
 */
@Tag("slow")
class CrashExactlyOnceTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final long STOCK = 20_000;

  @TempDir Path dir;

  /**
   * A table of this run's own: two builds sharing a database (CI and a developer, or parallel
   * jobs) must not mix their orders, which would look like lost or duplicated ones.
   */
  final String table = "crash_order_" + ProcessHandle.current().pid() + "_"
      + Long.toHexString(System.nanoTime() & 0xffffffL);

  static Sale sale() {
    return Sale.builder("crash").stock(STOCK).startsAt(START).endsAt(START.plus(Duration.ofDays(1)))
        .limitPerUser(2).maxPerRequest(1).build();
  }

  static SeckillEngine engine(Path dataDir, DataSource ds, String table) {
    return SeckillEngine.builder().dataDir(dataDir).clock(Clock.fixed(START, ZoneOffset.UTC))
        .maxUsersPerShard(400_000).outboxCapacityPerShard(50_000)
        .orderSink(JdbcOrderSink.builder(ds).table(table).createSchemaIfMissing(true).build())
        .flushBatchSize(200).flushMaxDelay(Duration.ofMillis(2)).build();
  }

  static DataSource dataSource(Dialect dialect, String url) throws SQLException {
    switch (dialect) {
      case H2: {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        return ds;
      }
      case POSTGRESQL: {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        return ds;
      }
      default:
        return new MariaDbDataSource(url);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void killNineWhileFlushingThenRestart(Dialect dialect) throws Exception {
    String url;
    DataSource ds;
    if (dialect == Dialect.H2) {
      // Embedded H2 dies with the JVM: only commits it has written to its file survive, so the
      // file must be written at commit (WRITE_DELAY=0), as docs/persistence.md says.
      url = "jdbc:h2:file:" + dir.resolve("h2db") + ";WRITE_DELAY=0";
      ds = null;
    } else {
      TestDatabases.of(dialect, "unused"); // skips or fails clearly when the server is absent
      url = System.getenv(dialect == Dialect.POSTGRESQL ? TestDatabases.POSTGRES_ENV : TestDatabases.MYSQL_ENV);
      ds = dataSource(dialect, url);
      TestDatabases.drop(ds, table);
    }
    Path data = dir.resolve("ledger");
    Set<Long> acknowledged = new HashSet<>();
    Process child = new ProcessBuilder(childCommand(data, dialect, url))
        .redirectError(dir.resolve("child-stderr.txt").toFile()).start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && acknowledged.size() < 4_000) {
        assertThat(line).as("sold out before the kill").isNotEqualTo("SOLD_OUT");
        if (line.startsWith("C ")) {
          acknowledged.add(Long.parseLong(line.substring(2)));
        }
      }
      child.destroyForcibly();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(acknowledged).hasSize(4_000);
    if (ds == null) {
      ds = dataSource(dialect, url);
    }

    try (SeckillEngine engine = engine(data, ds, table)) {
      // Sell a little more after the restart, then drain everything.
      List<CompletableFuture<dev.seckill.PurchaseResult>> more = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        more.add(engine.submit(PurchaseRequest.of("crash", "after-" + i, 1)));
      }
      more.forEach(CompletableFuture::join);
      engine.flush().get(60, TimeUnit.SECONDS);
      SaleSnapshot s = engine.snapshot("crash");
      Map<Long, ConfirmedOrder> stored = TestDatabases.readOrders(ds, dialect, table);
      assertThat(stored.keySet()).containsAll(acknowledged);
      assertThat(stored).hasSize((int) s.ordersConfirmed());
      assertThat(stored.values().stream().mapToLong(ConfirmedOrder::quantity).sum())
          .isEqualTo(s.unitsSold());
      assertThat(s.unitsSold() + s.remaining()).isEqualTo(STOCK);
      assertThat(engine.outboxSize()).isZero();
    }
    if (dialect != Dialect.H2) {
      TestDatabases.drop(ds, table); // kept only when the test fails, for a look
    }
  }

  private List<String> childCommand(Path data, Dialect dialect, String url) {
    List<String> cmd = ChildJvm.command();
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(EngineCrashChild.class.getName());
    cmd.add(data.toString());
    cmd.add(dialect.name());
    cmd.add(url);
    cmd.add(table);
    return cmd;
  }
}
