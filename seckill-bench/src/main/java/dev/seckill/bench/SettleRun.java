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
package dev.seckill.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.OrderState;
import dev.seckill.jdbc.JdbcOrderSink;
import dev.seckill.jdbc.JdbcStockCoordinator;
import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.OrderStateChange;
import dev.seckill.spi.VoidedOrder;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How fast one node's orders settle in cluster mode, against the plain store in the same run:
 * {@code JdbcStockCoordinator.sink(node).storeOrVoid} (the fenced settlement: lease row, the
 * buyers' {@code user_units} rows, the orders, the fence) versus {@code JdbcOrderSink.store}
 * (the orders alone), the same orders in the same batches, one thread, rounds alternating.
 * Every order is a new buyer's (one unit, limit 1), as in a flash sale: each settlement creates
 * a {@code user_units} row per order.
 *
 * <p>With {@code changes} as the fifth argument the sale has reservations ({@code payWithin})
 * and, after the orders, every order's EXPIRED state change is stored in the same batches:
 * the coordinator sink's {@code storeStateChanges} (each order's row read under a lock, the
 * state written, the units moved back into the pool) versus {@code JdbcOrderSink}'s with
 * {@code orderStates(true)} (the state column alone, one batched update).
 *
 * <p>Run: {@code java -cp seckill-bench/target/benchmarks.jar dev.seckill.bench.SettleRun
 * <postgres|mariadb> [orders=50000] [batch=1000] [rounds=3] [changes]}. The database from {@link Servers};
 * the tables ({@code seckill_bench_st_*}) are dropped and made again each round.
 */
public final class SettleRun {
  private static final String PREFIX = "seckill_bench_st_";
  private static final String SALE = "settle-bench";

  private SettleRun() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: SettleRun <postgres|mariadb> [orders] [batch] [rounds]");
      System.exit(2);
    }
    String server = args[0];
    int orders = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    boolean changes = args.length > 4 && args[4].equals("changes");
    Servers.requireReachable(server);
    double[] plain = new double[rounds];
    double[] settled = new double[rounds];
    double[] plainChanges = new double[rounds];
    double[] settledChanges = new double[rounds];
    try (HikariDataSource ds = pool(Servers.urlOf(server))) {
      for (int r = 0; r < rounds; r++) {
        double[] p = plain(ds, orders, batch, changes);
        double[] c = settled(ds, orders, batch, changes);
        plain[r] = p[0];
        settled[r] = c[0];
        plainChanges[r] = p[1];
        settledChanges[r] = c[1];
        System.out.printf(Locale.ROOT, "round %d: plain store %,.0f orders/s, fenced settlement"
            + " %,.0f orders/s (%.2fx)%n", r + 1, plain[r], settled[r], settled[r] / plain[r]);
        if (changes) {
          System.out.printf(Locale.ROOT, "round %d: state changes: plain %,.0f/s, coordinator"
              + " %,.0f/s (%.2fx)%n", r + 1, plainChanges[r], settledChanges[r],
              settledChanges[r] / plainChanges[r]);
        }
      }
      drop(ds);
    }
    report(server + (changes ? " (reservations)" : "") + ", " + String.format(Locale.ROOT,
        "%,d orders in batches of %,d, median of %d rounds: ", orders, batch, rounds)
        + "plain store %,.0f orders/s, fenced settlement %,.0f orders/s, ratio %.2fx%n",
        plain, settled);
    if (changes) {
      report("  their EXPIRED state changes: plain (orderStates) %,.0f changes/s, coordinator"
          + " %,.0f changes/s, ratio %.2fx%n", plainChanges, settledChanges);
    }
  }

  /** Prints the medians of {@code base} and {@code measured} and their ratio. */
  private static void report(String format, double[] base, double[] measured) {
    Arrays.sort(base);
    Arrays.sort(measured);
    double b = base[base.length / 2];
    double m = measured[measured.length / 2];
    System.out.printf(Locale.ROOT, format, b, m, m / b);
  }

  /** EXPIRED (version 2) for every order of {@code batches}, batch by batch. */
  private static double storeChanges(OrderSink sink, List<List<ConfirmedOrder>> batches,
      int orders) throws Exception {
    List<List<OrderStateChange>> changes = new ArrayList<>();
    for (List<ConfirmedOrder> b : batches) {
      List<OrderStateChange> out = new ArrayList<>(b.size());
      for (ConfirmedOrder o : b) {
        out.add(new OrderStateChange(o.orderId(), o.saleId(), OrderState.EXPIRED, 2,
            o.quantity(), o.confirmedAt().plusSeconds(600)));
      }
      changes.add(out);
    }
    long t0 = System.nanoTime();
    for (List<OrderStateChange> c : changes) {
      sink.storeStateChanges(c);
    }
    return orders * 1e9 / (System.nanoTime() - t0);
  }

  private static HikariDataSource pool(String url) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(2);
    config.setMinimumIdle(1);
    config.setPoolName("seckill-settle-run");
    return new HikariDataSource(config);
  }

  private static List<List<ConfirmedOrder>> batches(int nodeId, int orders, int batch) {
    Instant t0 = Instant.now();
    List<List<ConfirmedOrder>> out = new ArrayList<>();
    List<ConfirmedOrder> current = new ArrayList<>(batch);
    for (int i = 1; i <= orders; i++) {
      current.add(new ConfirmedOrder(((long) nodeId << 48) | i, SALE, "user-" + i, 1,
          t0.plusMillis(i)));
      if (current.size() == batch) {
        out.add(current);
        current = new ArrayList<>(batch);
      }
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  private static double[] plain(HikariDataSource ds, int orders, int batch, boolean changes)
      throws Exception {
    drop(ds);
    try (JdbcOrderSink sink = JdbcOrderSink.builder(ds).table(PREFIX + "order")
        .orderStates(changes).createSchemaIfMissing(true).build()) {
      List<List<ConfirmedOrder>> batches = batches(1, orders, batch);
      long t0 = System.nanoTime();
      for (List<ConfirmedOrder> b : batches) {
        sink.store(b);
      }
      double rate = orders * 1e9 / (System.nanoTime() - t0);
      return new double[] {rate, changes ? storeChanges(sink, batches, orders) : 0};
    }
  }

  private static double[] settled(HikariDataSource ds, int orders, int batch, boolean changes)
      throws Exception {
    drop(ds);
    try (JdbcStockCoordinator c = JdbcStockCoordinator.builder(ds).ordersTable(PREFIX + "order")
        .tablePrefix(PREFIX).createSchemaIfMissing(true).build()) {
      c.openSale(SALE, orders, 1, changes ? Duration.ofMinutes(10) : null);
      int node = c.newNodeId();
      c.lease(node, SALE, orders, Duration.ofMinutes(10));
      List<List<ConfirmedOrder>> batches = batches(node, orders, batch);
      long voided = 0;
      try (OrderSink sink = c.sink(node)) {
        long t0 = System.nanoTime();
        for (List<ConfirmedOrder> b : batches) {
          List<VoidedOrder> v = sink.storeOrVoid(b);
          voided += v.size();
        }
        double rate = orders * 1e9 / (System.nanoTime() - t0);
        if (voided != 0) {
          throw new IllegalStateException(voided + " orders voided; expected none");
        }
        double changeRate = changes ? storeChanges(sink, batches, orders) : 0;
        c.release(node, SALE);
        return new double[] {rate, changeRate};
      }
    }
  }

  private static void drop(HikariDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String t : List.of("voided_order", "user_units", "lease", "pool", "nodes", "order",
          "order_summary")) {
        s.execute("DROP TABLE IF EXISTS " + PREFIX + t);
      }
      if (c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres")) {
        s.execute("DROP SEQUENCE IF EXISTS " + PREFIX + "node_seq");
      }
    }
  }
}
