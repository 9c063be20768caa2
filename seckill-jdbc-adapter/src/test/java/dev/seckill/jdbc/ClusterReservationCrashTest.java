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

import dev.seckill.Cluster;
import dev.seckill.Durability;
import dev.seckill.OrderState;
import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.Rejection;
import dev.seckill.Sale;
import dev.seckill.SaleSnapshot;
import dev.seckill.SeckillEngine;
import dev.seckill.spi.StockCoordinator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reservations in cluster mode across a {@code kill -9}: a node JVM over a real database reserves
 * every unit (paying some, cancelling some, whose units go back to the pool and sell again) and
 * is killed while it pays, cancels and settles; its reservations fall due while it is dead. The
 * node restarted on its data directory expires them; each expiry gives its units back to the
 * coordinator's pool exactly once. Checked in the database: every order's state is the ledger's,
 * nothing is held, {@code released} is the units of the cancelled and expired orders,
 * conservation ({@code free + Σ granted (active) + Σ used (ended) == stock + released}), sold and
 * not released == paid; and the released units sell again.
 */
@Tag("slow")
class ClusterReservationCrashTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Duration PAY_WITHIN = Duration.ofMinutes(10);
  static final long STOCK = 200;

  @TempDir Path dir;

  final String prefix = "crz" + Long.toHexString(System.nanoTime() & 0xfffffL) + "_";

  static Sale sale() {
    return Sale.builder("resv").stock(STOCK).startsAt(START).endsAt(START.plus(Duration.ofDays(1)))
        .limitPerUser(1).payWithin(PAY_WITHIN).build();
  }

  static SeckillEngine engine(Path dataDir, StockCoordinator coordinator, Clock clock) {
    return SeckillEngine.builder().dataDir(dataDir).clock(clock).developmentDefaults()
        .prefaultFiles(false).shards(1).reservationTickInterval(Duration.ofMillis(5))
        .durability(Durability.PERSISTED)
        .cluster(Cluster.builder(coordinator).leaseTtl(Duration.ofSeconds(2)).initialChunk(20)
            .build())
        .flushMaxDelay(Duration.ofMillis(2)).build();
  }

  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"POSTGRESQL", "MYSQL"})
  void expiriesAfterACrashGiveTheirUnitsBackToThePoolOnce(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, prefix, 4)) {
      Path data = dir.resolve("ledger");
      killChildOnceHeld(dialect, db, data);

      Clock afterDeadlines = Clock.fixed(START.plus(PAY_WITHIN).plusMillis(1), ZoneOffset.UTC);
      try (JdbcStockCoordinator coordinator = db.coordinator();
          SeckillEngine e = engine(data, coordinator, afterDeadlines)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while ((e.snapshot("resv").held() > 0 || db.pool("resv").held() > 0)
            && System.nanoTime() - deadline < 0) {
          Thread.onSpinWait(); // the timer's ticks and the flusher; a bounded wait, no sleep
          e.flush().join();
        }
        SaleSnapshot snap = e.snapshot("resv");
        assertThat(snap.held()).isZero();
        CoordinatorDb.Pool pool = db.pool("resv");
        assertThat(pool.held()).as("units held in the database").isZero();

        Map<Long, String> states = states(db);
        long paid = 0;
        long released = 0;
        for (Map.Entry<Long, String> row : states.entrySet()) {
          OrderState ledger = e.cancel(row.getKey()).join().state(); // terminal: changes nothing
          assertThat(ledger).as("order %d in the ledger", row.getKey()).isNotNull();
          assertThat(row.getValue()).as("order %d", row.getKey()).isEqualTo(ledger + "/2");
          if (ledger == OrderState.PAID) {
            paid++;
          } else {
            released++;
          }
        }
        assertThat(paid).isEqualTo(snap.paid()).isPositive();
        assertThat(states.values()).anyMatch(s -> s.startsWith("CANCELLED"))
            .anyMatch(s -> s.startsWith("EXPIRED"));
        assertThat(pool.released()).as("released units").isEqualTo(released);
        CoordinatorDb.Figures f = db.figures("resv");
        assertThat(f.conserved()).as("conservation %s", f).isTrue();
        assertThat(f.allUsed() - f.released()).as("sold and not released").isEqualTo(paid);
        assertThat(f.storedUnits()).isEqualTo(f.allUsed());

        // The released units are in the pool: the node leases them and sells again.
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        PurchaseResult r;
        do {
          r = e.submit(PurchaseRequest.of("resv", "after-restart", 1)).join();
          assertThat(System.nanoTime() - until).as("bought again in time: %s", r).isNegative();
        } while (!r.isConfirmed() && r.rejection() != Rejection.LIMIT_REACHED);
        assertThat(r.isConfirmed()).as("%s", r).isTrue();
      }
      assertThat(db.pool("resv").held()).isEqualTo(1);
      assertThat(db.figures("resv").conserved()).isTrue();
      db.dropAll();
    }
  }

  /**
   * A node whose data directory is lost for good never expires its reservations; the operator's
   * statements of docs/cluster.md ("A node lost for good") expire them in one transaction, and
   * another node sells their units.
   */
  @ParameterizedTest
  @EnumSource(value = Dialect.class, names = {"POSTGRESQL", "MYSQL"})
  void theRunbookForANodeLostForGoodGivesItsReservationsBack(Dialect dialect) throws Exception {
    try (CoordinatorDb db = CoordinatorDb.open(dialect, prefix, 4)) {
      killChildOnceHeld(dialect, db, dir.resolve("lost"));
      long node = db.scalar("SELECT MAX(node_id) FROM " + prefix + "nodes");
      long unpaid = db.scalar("SELECT COALESCE(SUM(quantity), 0) FROM " + db.orders
          + " WHERE state IS NULL");
      assertThat(unpaid).isPositive();
      // Its unpaid reservations may still be settling when it died: the outbox is lost with it.
      long held = db.pool("resv").held();
      assertThat(held).isEqualTo(unpaid);

      try (Connection c = db.ds.getConnection(); Statement st = c.createStatement()) {
        c.setAutoCommit(false);
        for (String sql : runbook(db, node)) {
          st.execute(sql);
        }
        c.commit();
      }
      CoordinatorDb.Pool pool = db.pool("resv");
      assertThat(pool.held()).isZero();
      Map<Long, String> states = states(db);
      assertThat(states.values()).doesNotContain("null/0");
      long released = db.scalar("SELECT COALESCE(SUM(quantity), 0) FROM " + db.orders
          + " WHERE state IN ('CANCELLED', 'EXPIRED')");
      assertThat(pool.released()).isEqualTo(released);
      assertThat(db.figures("resv").conserved()).as("%s", db.figures("resv")).isTrue();

      // Another node (a new data directory, a new node id) sells the units given back.
      try (JdbcStockCoordinator coordinator = db.coordinator();
          SeckillEngine e = engine(dir.resolve("other"), coordinator,
              Clock.fixed(START, ZoneOffset.UTC))) {
        e.registerSale(sale());
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        PurchaseResult r;
        do {
          r = e.submit(PurchaseRequest.of("resv", "after-loss", 1)).join();
          assertThat(System.nanoTime() - until).as("bought in time: %s", r).isNegative();
        } while (!r.isConfirmed());
      }
      assertThat(db.figures("resv").conserved()).isTrue();
      db.dropAll();
    }
  }

  /**
   * docs/cluster.md's statements for a node lost for good, on this test's tables, sale and
   * node: run in one transaction.
   */
  private List<String> runbook(CoordinatorDb db, long node) {
    String unpaid = db.orders + " WHERE sale_id = 'resv' AND (order_id >> 48) = " + node
        + " AND state IS NULL";
    String units = "(SELECT COALESCE(SUM(quantity), 0) FROM " + unpaid + ")";
    return List.of(
        "SELECT order_id FROM " + unpaid + " FOR UPDATE",
        "UPDATE " + prefix + "pool SET held = held - " + units + ", free = free + " + units
            + ", released = released + " + units + " WHERE sale_id = 'resv'",
        "UPDATE " + db.orders + " SET state = 'EXPIRED', state_version = 2 WHERE sale_id = 'resv'"
            + " AND (order_id >> 48) = " + node + " AND state IS NULL");
  }

  /** Starts the node JVM on {@code data}, waits until it answers ALL_HELD, then kills it -9. */
  private void killChildOnceHeld(Dialect dialect, CoordinatorDb db, Path data) throws Exception {
    String url = System.getenv(dialect == Dialect.POSTGRESQL ? TestDatabases.POSTGRES_ENV
        : TestDatabases.MYSQL_ENV);
    Process child = new ProcessBuilder(childCommand(data, url, db.orders))
        .redirectError(dir.resolve("child-stderr.txt").toFile()).start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("HELD")) {
        // wait until every unit is paid or held
      }
      assertThat(line).as("the child held every unit (see child-stderr.txt)").isEqualTo("HELD");
      child.destroyForcibly(); // SIGKILL while it pays, cancels and settles
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** Each stored order's {@code "STATE/version"}. */
  private static Map<Long, String> states(CoordinatorDb db) throws Exception {
    Map<Long, String> out = new HashMap<>();
    try (Connection c = db.ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT order_id, state, state_version FROM " + db.orders);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getLong(1), rs.getString(2) + "/" + rs.getInt(3));
      }
    }
    return out;
  }

  private List<String> childCommand(Path data, String url, String orders) {
    List<String> cmd = ChildJvm.command();
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ClusterReservationCrashChild.class.getName());
    cmd.add(data.toString());
    cmd.add(url);
    cmd.add(orders);
    cmd.add(prefix);
    return cmd;
  }
}
