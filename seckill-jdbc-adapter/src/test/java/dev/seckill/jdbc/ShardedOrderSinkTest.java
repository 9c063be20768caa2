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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seckill.OrderState;
import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.OrderStateChange;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.PermanentSinkException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ShardedOrderSink} over two separate in-memory H2 databases (always runs). The same over
 * PostgreSQL and MariaDB is {@link ShardedAcrossDatabasesTest}.
 */
class ShardedOrderSinkTest {
  private static final Instant T0 = Instant.parse("2026-11-11T00:00:00Z");
  private static final String TABLE = "seckill_shard_h2";

  private final DataSource a = TestDatabases.h2("shard-a");
  private final DataSource b = TestDatabases.h2("shard-b");
  private JdbcOrderSink sinkA;
  private JdbcOrderSink sinkB;

  @BeforeEach
  void sinks() throws SQLException {
    sinkA = fresh(a);
    sinkB = fresh(b);
  }

  @AfterEach
  void close() {
    sinkA.close();
    sinkB.close();
  }

  private static JdbcOrderSink fresh(DataSource ds) throws SQLException {
    TestDatabases.drop(ds, TABLE);
    return JdbcOrderSink.builder(ds).table(TABLE).createSchemaIfMissing(true).build();
  }

  static ConfirmedOrder order(long id) {
    return new ConfirmedOrder(id, "sale-" + (id % 4), "user-" + (id % 97), 1, T0.plusMillis(id));
  }

  static List<ConfirmedOrder> orders(long from, long to) {
    List<ConfirmedOrder> list = new ArrayList<>();
    for (long id = from; id <= to; id++) {
      list.add(order(id));
    }
    return list;
  }

  private void storeInBatches(OrderSink sink, List<ConfirmedOrder> all, int size) throws Exception {
    for (int i = 0; i < all.size(); i += size) {
      sink.store(all.subList(i, Math.min(all.size(), i + size)));
    }
  }

  /** Each order is in exactly one database, the one routing names, and nothing else is stored. */
  private void assertPartitioned(ShardedOrderSink sharded, List<ConfirmedOrder> input)
      throws SQLException {
    Map<Long, ConfirmedOrder> inA = TestDatabases.readOrders(a, Dialect.H2, TABLE);
    Map<Long, ConfirmedOrder> inB = TestDatabases.readOrders(b, Dialect.H2, TABLE);
    assertThat(inA.keySet()).doesNotContainAnyElementsOf(inB.keySet());
    Map<Long, ConfirmedOrder> union = new HashMap<>(inA);
    union.putAll(inB);
    assertThat(union).isEqualTo(input.stream().collect(
        Collectors.toMap(ConfirmedOrder::orderId, o -> o)));
    for (ConfirmedOrder o : input) {
      assertThat((sharded.targetOf(o) == sinkA ? inA : inB)).containsKey(o.orderId());
    }
  }

  /**
   * Reservation state changes reach the database that holds their order, with every routing:
   * by order id and sale id they are routed; by user id (a change names no user) they go to
   * every target and only the one holding the order changes.
   */
  @Test
  void stateChangesReachTheTargetHoldingTheirOrder() throws Exception {
    sinkA.close();
    sinkB.close();
    TestDatabases.drop(a, TABLE);
    TestDatabases.drop(b, TABLE);
    sinkA = JdbcOrderSink.builder(a).table(TABLE).createSchemaIfMissing(true).orderStates(true)
        .build();
    sinkB = JdbcOrderSink.builder(b).table(TABLE).createSchemaIfMissing(true).orderStates(true)
        .build();
    List<ShardedOrderSink> routings = List.of(
        ShardedOrderSink.byUserIdHash(List.of(sinkA, sinkB)),
        ShardedOrderSink.byOrderIdHash(List.of(sinkA, sinkB)),
        ShardedOrderSink.byOrderIdRange(new TreeMap<>(Map.of(1L, sinkA, 101L, sinkB))),
        ShardedOrderSink.bySaleId(Map.of("sale-0", sinkA, "sale-1", sinkB), sinkB));
    long first = 1;
    for (ShardedOrderSink sharded : routings) {
      List<ConfirmedOrder> batch = orders(first, first + 199);
      sharded.store(batch);
      List<OrderStateChange> changes = new ArrayList<>();
      for (ConfirmedOrder o : batch) {
        OrderState state = o.orderId() % 3 == 0 ? OrderState.PAID
            : o.orderId() % 3 == 1 ? OrderState.EXPIRED : OrderState.CANCELLED;
        changes.add(new OrderStateChange(o.orderId(), o.saleId(), state, 2, o.quantity(),
            T0.plusSeconds(60)));
      }
      sharded.storeStateChanges(changes);
      sharded.storeStateChanges(changes); // a replay changes nothing
      Map<Long, String> states = new HashMap<>(states(a));
      Map<Long, String> inB = states(b);
      for (ConfirmedOrder o : batch) {
        OrderSink target = sharded.targetOf(o);
        String expected = changes.get((int) (o.orderId() - first)).state().name();
        assertThat((target == sinkA ? states : inB).get(o.orderId()))
            .as("%s, order %d", sharded, o.orderId()).isEqualTo(expected);
        assertThat((target == sinkA ? inB : states)).as("%s", sharded)
            .doesNotContainKey(o.orderId());
      }
      first += 1_000;
    }
  }

  /** Order id to state, from one database. */
  private static Map<Long, String> states(DataSource ds) throws SQLException {
    Map<Long, String> out = new HashMap<>();
    try (java.sql.Connection c = ds.getConnection();
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT order_id, state FROM " + TABLE)) {
      while (rs.next()) {
        out.put(rs.getLong(1), rs.getString(2));
      }
    }
    return out;
  }

  @Test
  void byUserIdHashKeepsAUsersOrdersTogether() throws Exception {
    ShardedOrderSink sharded = ShardedOrderSink.byUserIdHash(List.of(sinkA, sinkB));
    List<ConfirmedOrder> input = orders(1, 2_000);
    storeInBatches(sharded, input, 300);
    storeInBatches(sharded, input.subList(100, 900), 250); // a retry in other batch sizes
    assertPartitioned(sharded, input);
    Map<String, List<OrderSink>> targetsByUser = input.stream().collect(Collectors.groupingBy(
        ConfirmedOrder::userId, Collectors.mapping(sharded::targetOf, Collectors.toList())));
    assertThat(targetsByUser.values()).allSatisfy(t -> assertThat(t).containsOnly(t.get(0)));
    assertThat(TestDatabases.readOrders(a, Dialect.H2, TABLE)).isNotEmpty();
    assertThat(TestDatabases.readOrders(b, Dialect.H2, TABLE)).isNotEmpty();
  }

  @Test
  void byOrderIdHashSpreadsOrders() throws Exception {
    ShardedOrderSink sharded = ShardedOrderSink.byOrderIdHash(List.of(sinkA, sinkB));
    List<ConfirmedOrder> input = orders(1, 2_000);
    storeInBatches(sharded, input, 1_000);
    assertPartitioned(sharded, input);
    assertThat(TestDatabases.readOrders(a, Dialect.H2, TABLE).size()).isBetween(800, 1_200);
  }

  private static final int GOLDEN_MIX32_USER_1 = 907879744;
  private static final long GOLDEN_MIX64_1 = -7138476952606498490L;

  @Test
  void routesAreFixedForever() {
    // Pinned: a change here re-routes stored orders, so a retry could store one twice.
    ShardedOrderSink byUser = ShardedOrderSink.byUserIdHash(List.of(sinkA, sinkB, sinkA, sinkB,
        sinkA));
    ShardedOrderSink byOrder = ShardedOrderSink.byOrderIdHash(List.of(sinkA, sinkB, sinkA, sinkB,
        sinkA));
    assertThat(ShardedOrderSink.mix32("user-1".hashCode())).isEqualTo(GOLDEN_MIX32_USER_1);
    assertThat(ShardedOrderSink.mix64(1L)).isEqualTo(GOLDEN_MIX64_1);
    assertThat(byUser.targetOf(order(1))).isSameAs(
        Math.floorMod(GOLDEN_MIX32_USER_1, 5) % 2 == 0 ? sinkA : sinkB);
    assertThat(byOrder.targetOf(order(1))).isSameAs(
        Math.floorMod(GOLDEN_MIX64_1, 5L) % 2 == 0 ? sinkA : sinkB);
  }

  @Test
  void byOrderIdRange() throws Exception {
    TreeMap<Long, OrderSink> ranges = new TreeMap<>(Map.of(1L, sinkA, 501L, sinkB));
    ShardedOrderSink sharded = ShardedOrderSink.byOrderIdRange(ranges);
    List<ConfirmedOrder> input = orders(1, 1_000);
    storeInBatches(sharded, input, 333);
    assertPartitioned(sharded, input);
    assertThat(TestDatabases.readOrders(a, Dialect.H2, TABLE).keySet())
        .allSatisfy(id -> assertThat(id).isBetween(1L, 500L)).hasSize(500);

    assertThatThrownBy(() -> ShardedOrderSink.byOrderIdRange(new TreeMap<>(Map.of(2L, sinkA))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("targetsByFirstOrderId must start at 1 or below so every order id has a"
            + " target; first key was 2");
  }

  @Test
  void bySaleIdWithAndWithoutFallback() throws Exception {
    ShardedOrderSink sharded = ShardedOrderSink.bySaleId(Map.of("sale-1", sinkB, "sale-2", sinkB),
        sinkA);
    List<ConfirmedOrder> input = orders(1, 400);
    storeInBatches(sharded, input, 150);
    assertPartitioned(sharded, input);
    assertThat(TestDatabases.readOrders(b, Dialect.H2, TABLE).values())
        .allSatisfy(o -> assertThat(o.saleId()).isIn("sale-1", "sale-2")).hasSize(200);

    ShardedOrderSink strict = ShardedOrderSink.bySaleId(Map.of("sale-1", sinkB), null);
    assertThatThrownBy(() -> strict.store(orders(401, 404)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("order 402: no target for sale 'sale-2' and no fallback; known sales: [sale-1]");
    assertThat(TestDatabases.readOrders(b, Dialect.H2, TABLE)).hasSize(200); // nothing stored
  }

  @Test
  void aFailedTargetFailsTheBatchAndTheRetryCompletesIt() throws Exception {
    ShardedOrderSink sharded = ShardedOrderSink.byOrderIdRange(
        new TreeMap<>(Map.of(1L, sinkA, 51L, sinkB)));
    TestDatabases.drop(b, TABLE); // target B now fails for real
    List<ConfirmedOrder> batch = orders(1, 100);
    assertThatThrownBy(() -> sharded.store(batch))
        .hasMessageStartingWith("ShardedOrderSink byOrderIdRange[1, 51]: 1 of 2 targets failed:"
            + " [target 1 (JdbcOrderSink{dialect=H2, table=seckill_shard_h2}, 50 orders)]")
        .hasCauseInstanceOf(SQLException.class);
    assertThat(TestDatabases.readOrders(a, Dialect.H2, TABLE)).hasSize(50); // A committed

    JdbcOrderSink.builder(b).table(TABLE).createSchemaIfMissing(true).build().close();
    sharded.store(batch); // the engine's retry of the whole batch
    assertPartitioned(sharded, batch);
  }

  @Test
  void theFailureIsPermanentOnlyWhenEveryFailedTargetFailedPermanently() throws Exception {
    OrderSink poisoned = batch -> {
      throw new PermanentSinkException("check constraint violated");
    };
    OrderSink down = batch -> {
      throw new SQLException("connection refused", "08001");
    };
    List<ConfirmedOrder> batch = orders(1, 100);
    ShardedOrderSink oneBad = ShardedOrderSink.byOrderIdRange(
        new TreeMap<>(Map.of(1L, sinkA, 51L, poisoned)));
    assertThatThrownBy(() -> oneBad.store(batch))
        .isInstanceOf(PermanentSinkException.class)
        .hasMessageContaining("1 of 2 targets failed for good")
        .hasCauseInstanceOf(PermanentSinkException.class);
    ShardedOrderSink badAndDown = ShardedOrderSink.byOrderIdRange(
        new TreeMap<>(Map.of(1L, down, 51L, poisoned)));
    assertThatThrownBy(() -> badAndDown.store(batch))
        .isNotInstanceOf(PermanentSinkException.class)
        .hasMessageContaining("2 of 2 targets failed:");
    // One target only: its own exception, unwrapped.
    assertThatThrownBy(() -> oneBad.store(orders(60, 70)))
        .isInstanceOf(PermanentSinkException.class)
        .hasMessage("check constraint violated");
  }

  @Test
  void badRoutingTablesAreRefused() {
    assertThatThrownBy(() -> ShardedOrderSink.byUserIdHash(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("targets must not be null or empty, was []");
    List<OrderSink> withNull = new ArrayList<>();
    withNull.add(sinkA);
    withNull.add(null);
    assertThatThrownBy(() -> ShardedOrderSink.byOrderIdHash(withNull))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("targets[1] must not be null");
    assertThatThrownBy(() -> ShardedOrderSink.bySaleId(Map.of(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("targetsBySaleId must not be null, nor empty without a fallback");
  }

  @Test
  void closeClosesEachTargetOnce() throws Exception {
    ShardedOrderSink sharded = ShardedOrderSink.bySaleId(Map.of("sale-1", sinkB, "sale-2", sinkB),
        sinkA);
    assertThat(sharded.targets()).containsExactly(sinkB, sinkA);
    sharded.close();
    assertThatThrownBy(() -> sinkA.store(orders(1, 1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> sinkB.store(orders(1, 1))).isInstanceOf(IllegalStateException.class);
  }
}
