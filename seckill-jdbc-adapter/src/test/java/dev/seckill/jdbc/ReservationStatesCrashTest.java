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

import dev.seckill.OrderState;
import dev.seckill.Sale;
import dev.seckill.SaleSnapshot;
import dev.seckill.SeckillEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code kill -9} of an engine JVM holding reservations (some paid, some cancelled) while it
 * flushes into a real database with {@code orderStates(true)}; the reservations fall due while it
 * is dead. After the restart the timer's ticks expire them, the flusher stores what was left, and
 * the database's state column matches the ledger for every order. With the stock summary on as
 * well, the summary's paid and released units equal the table's (no change counted twice or
 * lost across the crash and the replays), and no units are left held.
 */
@Tag("slow")
class ReservationStatesCrashTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Duration PAY_WITHIN = Duration.ofMinutes(10);
  static final long STOCK = 400;

  @TempDir Path dir;

  final String table = "resv_order_" + ProcessHandle.current().pid() + "_"
      + Long.toHexString(System.nanoTime() & 0xffffffL);

  static Sale sale() {
    return Sale.builder("resv").stock(STOCK).startsAt(START).endsAt(START.plus(Duration.ofDays(1)))
        .limitPerUser(1).payWithin(PAY_WITHIN).build();
  }

  static String summaryTable(String table) {
    return table + "_sum";
  }

  static SeckillEngine engine(Path dataDir, DataSource ds, String table, boolean summary,
      Clock clock) {
    JdbcOrderSink.Builder sink = JdbcOrderSink.builder(ds).table(table)
        .createSchemaIfMissing(true).orderStates(true);
    if (summary) {
      sink.stockSummary(true).summaryTable(summaryTable(table));
    }
    return SeckillEngine.builder().dataDir(dataDir).clock(clock).developmentDefaults()
        .prefaultFiles(false).reservationTickInterval(Duration.ofMillis(5))
        .orderSink(sink.build())
        .flushBatchSize(50).flushMaxDelay(Duration.ofMillis(2)).build();
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void theStateColumnMatchesTheLedgerAfterACrashAndTheExpiries(Dialect dialect) throws Exception {
    crashAndCheck(dialect, false);
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"H2", "POSTGRESQL", "MYSQL"})
  void theSummaryMatchesTheTableAfterACrashAndTheExpiries(Dialect dialect) throws Exception {
    crashAndCheck(dialect, true);
  }

  private void crashAndCheck(Dialect dialect, boolean summary) throws Exception {
    String url;
    if (dialect == Dialect.H2) {
      url = "jdbc:h2:file:" + dir.resolve("h2db") + ";WRITE_DELAY=0";
    } else {
      TestDatabases.of(dialect, "unused"); // skips or fails clearly when the server is absent
      url = System.getenv(dialect == Dialect.POSTGRESQL ? TestDatabases.POSTGRES_ENV
          : TestDatabases.MYSQL_ENV);
    }
    DataSource ds = CrashExactlyOnceTest.dataSource(dialect, url);
    TestDatabases.drop(ds, table, summaryTable(table));
    Path data = dir.resolve("ledger");
    Process child = new ProcessBuilder(childCommand(data, dialect, url, summary))
        .redirectError(dir.resolve("child-stderr.txt").toFile()).start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("HELD")) {
        // wait until every unit is held
      }
      assertThat(line).as("the child held every unit").isEqualTo("HELD");
      child.destroyForcibly(); // SIGKILL while it pays, cancels and flushes
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    Clock afterDeadlines = Clock.fixed(START.plus(PAY_WITHIN).plusMillis(1), ZoneOffset.UTC);
    try (SeckillEngine e = engine(data, ds, table, summary, afterDeadlines)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (e.snapshot("resv").held() > 0 && System.nanoTime() - deadline < 0) {
        Thread.onSpinWait(); // the timer's ticks; no sleep, a bounded wait
      }
      SaleSnapshot snap = e.snapshot("resv");
      assertThat(snap.held()).isZero();
      assertThat(snap.remaining() + snap.paid()).isEqualTo(STOCK);
      e.flush().join();
      Map<Long, String> db = OrderStatesDatabaseTest.states(ds, table);
      assertThat(db).hasSize((int) snap.ordersConfirmed());
      long paid = 0;
      for (Map.Entry<Long, String> row : db.entrySet()) {
        OrderState ledger = e.cancel(row.getKey()).join().state(); // terminal: changes nothing
        assertThat(ledger).isNotNull();
        assertThat(row.getValue()).as("order %d", row.getKey()).isEqualTo(ledger + "/2");
        if (ledger == OrderState.PAID) {
          paid++;
        }
      }
      assertThat(paid).isEqualTo(snap.paid());
      assertThat(snap.paid()).isPositive();
      assertThat(db.values()).anyMatch(s -> s.startsWith("CANCELLED"))
          .anyMatch(s -> s.startsWith("EXPIRED"));
      if (summary) {
        Map<String, List<Long>> sum = SummaryStatesDatabaseTest.summaryRows(ds, summaryTable(table));
        assertThat(sum).isEqualTo(SummaryStatesDatabaseTest.aggregate(ds, table));
        List<Long> row = sum.get("resv");
        assertThat(row).isNotNull();
        assertThat(row.get(2)).isEqualTo(snap.paid());
        assertThat(row.get(0) - row.get(2) - row.get(3)).as("held units").isZero();
        assertThat(row.get(3)).isEqualTo(row.get(0) - snap.paid()).isPositive();
      }
    }
    if (dialect != Dialect.H2) {
      TestDatabases.drop(ds, table, summaryTable(table));
    }
  }

  private List<String> childCommand(Path data, Dialect dialect, String url, boolean summary) {
    List<String> cmd = ChildJvm.command();
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ReservationDbCrashChild.class.getName());
    cmd.add(data.toString());
    cmd.add(dialect.name());
    cmd.add(url);
    cmd.add(table);
    cmd.add(summary ? "summary" : "states");
    return cmd;
  }
}
