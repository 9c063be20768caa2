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

import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.OrderStateChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The dialect-specific SQL of a {@link JdbcOrderSink}: how a batch is inserted idempotently and
 * how the summary is updated. Immutable; one instance is shared by every thread calling
 * {@link JdbcOrderSink#store}, each with its own connection inside its own transaction.
 */
abstract class OrderWriter {
  final String table;
  /** The summary table, or null when the summary is off. */
  final @Nullable String summaryTable;
  /**
   * Whether {@link #insert} reports which rows it newly inserted: with the summary on, and for
   * {@link JdbcStockCoordinator}'s settlement, whose lease fence adds exactly those units.
   */
  final boolean countInserted;

  OrderWriter(String table, @Nullable String summaryTable, boolean countInserted) {
    this.table = table;
    this.summaryTable = summaryTable;
    this.countInserted = countInserted || summaryTable != null;
  }

  static OrderWriter create(Dialect dialect, String table, @Nullable String summaryTable) {
    return create(dialect, table, summaryTable, false);
  }

  /** A writer without summary whose {@link #insert} still reports the newly inserted rows. */
  static OrderWriter counting(Dialect dialect, String table) {
    return create(dialect, table, null, true);
  }

  private static OrderWriter create(Dialect dialect, String table, @Nullable String summaryTable,
      boolean count) {
    switch (dialect) {
      case H2:
        return new H2OrderWriter(table, summaryTable, count);
      case POSTGRESQL:
        return new PostgresOrderWriter(table, summaryTable, count);
      case MYSQL:
        return new MySqlOrderWriter(table, summaryTable, count);
      default:
        throw new IllegalStateException("no writer for dialect " + dialect);
    }
  }

  /**
   * The order in which rows are written. Every transaction takes its row locks in this one total
   * order, so two overlapping batches wait for each other instead of deadlocking.
   */
  Comparator<ConfirmedOrder> lockOrder() {
    return Comparator.comparingLong(ConfirmedOrder::orderId);
  }

  /**
   * Inserts every row whose order id is not stored yet and leaves stored ones untouched.
   *
   * @param rows distinct order ids, sorted by {@link #lockOrder()}
   * @return when {@link #countInserted}, the units and orders this call newly inserted, by sale
   *     (rows that were already stored count for nothing); otherwise null
   */
  abstract @Nullable SortedMap<String, SaleDelta> insert(Connection c, List<ConfirmedOrder> rows)
      throws SQLException;

  /**
   * Adds each sale's delta to the summary, creating missing rows: one upsert per sale.
   *
   * @param deltas by sale id, sorted (so summary rows are locked in one order, too)
   */
  final void addToSummary(Connection c, SortedMap<String, SaleDelta> deltas) throws SQLException {
    String sql = summarySql();
    if (sql == null) {
      throw new IllegalStateException("the summary is off: no summary table");
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (Map.Entry<String, SaleDelta> e : deltas.entrySet()) {
        ps.setString(1, e.getKey());
        ps.setLong(2, e.getValue().units);
        ps.setLong(3, e.getValue().orders);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * The dialect's summary upsert, with parameters (sale id, units to add, orders to add); only
   * called when the summary is on (null when it is off).
   */
  abstract @Nullable String summarySql();

  /**
   * Adds each sale's paid and released units to the summary ({@code units_paid},
   * {@code units_released}), creating missing rows with zero units sold: one upsert per sale,
   * each run alone (no batch, so no driver's batch update counts are involved).
   *
   * @param deltas by sale id, sorted (summary rows are locked in sale-id order, as by
   *     {@link #addToSummary}); sales whose delta is zero are skipped
   */
  final void addStatesToSummary(Connection c, SortedMap<String, StateDelta> deltas)
      throws SQLException {
    if (summaryTable == null) {
      throw new IllegalStateException("the summary is off: no summary table");
    }
    try (PreparedStatement ps = c.prepareStatement(summaryStatesSql(summaryTable))) {
      for (Map.Entry<String, StateDelta> e : deltas.entrySet()) {
        StateDelta d = e.getValue();
        if (d.paid == 0 && d.released == 0) {
          continue;
        }
        ps.setString(1, e.getKey());
        ps.setLong(2, d.paid);
        ps.setLong(3, d.released);
        ps.executeUpdate();
      }
    }
  }

  /**
   * The dialect's upsert of paid and released units, with parameters (sale id, paid units to
   * add, released units to add); a missing row is inserted with {@code units_sold} and
   * {@code orders} zero.
   */
  abstract String summaryStatesSql(String summaryTable);

  /**
   * Applies reservation state changes to the orders table when their moves are not counted
   * ({@link JdbcOrderSink} without summary): the version-gated statements of
   * {@link #writeStates}, without reading the rows first and without checking counts (a change
   * offered again, an older one or one of an order not stored changes nothing).
   *
   * @param rows the changes, sorted by order id then version (the lock order)
   */
  final void updateStates(Connection c, List<OrderStateChange> rows) throws SQLException {
    writeStates(c, new ArrayList<>(latestPerOrder(rows).values()), false);
  }

  /**
   * The highest-version change of each order, in the order of {@code rows} (the moves and the
   * final state of a chain of changes are those of its last one).
   */
  private static Map<Long, OrderStateChange> latestPerOrder(List<OrderStateChange> rows) {
    Map<Long, OrderStateChange> last = new java.util.LinkedHashMap<>();
    for (OrderStateChange ch : rows) {
      last.merge(ch.orderId(), ch, (a, b) -> b.version() > a.version() ? b : a);
    }
    return last;
  }

  /** Ids per {@code IN (...)} list (and changes per state update statement). */
  static final int IN_CHUNK = 500;

  /** {@code n} parameter marks for an {@code IN} list: {@code "?, ?, ?"}. */
  static String marks(int n) {
    StringBuilder sb = new StringBuilder(n * 3);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "?" : ", ?");
    }
    return sb.toString();
  }

  /** Binds {@code ids} as parameters {@code first}, {@code first + 1}, ...; the next index. */
  static int bindIds(PreparedStatement ps, int first, List<Long> ids) throws SQLException {
    int p = first;
    for (long id : ids) {
      ps.setLong(p++, id);
    }
    return p;
  }

  /** A stored order's row as {@link #updateStatesCounted} read it under its lock. */
  record StoredState(String saleId, int quantity, @Nullable String state, int version) {}

  /**
   * Applies reservation state changes so that the caller knows exactly which applied and which
   * state each replaced: the paid and released units they move, by sale (what
   * {@link JdbcOrderSink}'s summary and {@link JdbcStockCoordinator}'s pool count). First the
   * changed orders' rows are read under row locks, {@value #IN_CHUNK} to a
   * {@code SELECT ... WHERE order_id IN (...) ORDER BY order_id FOR UPDATE}, in order-id order;
   * of several changes of one order only the highest version counts (the moves of a chain of
   * changes add up to those of its last one). A change that does not apply (no row: the order
   * was dead-lettered, or voided by a coordinator; or a version not above the stored one)
   * updates and adds nothing. Then the applicable changes are written ({@link #writeStates}):
   * their count must be exactly theirs, or the transaction fails. Units are the stored order's
   * quantity, and the sale the stored order's sale, not the change's figures.
   *
   * @param rows the changes, sorted by order id then version (the lock order)
   * @return the paid and released units newly moved, by sale id in {@link String} order; a sale
   *     appears if one of its changes applied (its delta may still be zero)
   */
  final SortedMap<String, StateDelta> updateStatesCounted(Connection c,
      List<OrderStateChange> rows) throws SQLException {
    Map<Long, OrderStateChange> last = latestPerOrder(rows);
    List<Long> ids = new ArrayList<>(last.keySet());
    Map<Long, StoredState> stored = new HashMap<>(ids.size() * 2);
    for (int from = 0; from < ids.size(); from += IN_CHUNK) {
      List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + IN_CHUNK));
      try (PreparedStatement ps = c.prepareStatement("SELECT order_id, sale_id, quantity, state,"
          + " state_version FROM " + table + " WHERE order_id IN (" + marks(chunk.size())
          + ") ORDER BY order_id FOR UPDATE")) {
        bindIds(ps, 1, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            int version = rs.getInt(5);
            stored.put(rs.getLong(1), new StoredState(rs.getString(2), rs.getInt(3),
                rs.getString(4), rs.wasNull() ? 1 : version)); // NULL: as confirmed, version 1
          }
        }
      }
    }
    List<OrderStateChange> applicable = new ArrayList<>();
    SortedMap<String, StateDelta> deltas = new TreeMap<>();
    for (OrderStateChange ch : last.values()) {
      StoredState row = stored.get(ch.orderId());
      if (row == null || row.version() >= ch.version()) {
        continue; // not stored, or a replay or an older change: it does not apply
      }
      applicable.add(ch);
      StateDelta d = deltas.computeIfAbsent(row.saleId(), k -> new StateDelta());
      d.add(row.state(), row.quantity(), -1);
      d.add(ch.state().name(), row.quantity(), 1);
    }
    if (!applicable.isEmpty()) {
      writeStates(c, applicable, true);
    }
    return deltas;
  }

  /**
   * Writes state changes, one per order, in order-id order, each only if its version is above
   * the stored {@code state_version} (NULL: the order as confirmed, version 1). With
   * {@code counted} the caller holds the rows locked and found every change applicable, and the
   * write fails unless each changed exactly its row. This default runs one
   * statement per {@value #IN_CHUNK} changes, {@code UPDATE ... SET state = CASE
   * order_id WHEN ? THEN ? ... END, state_version = CASE ... END WHERE order_id IN (...) AND
   * (state_version IS NULL OR state_version < CASE ... END)}, whose count must be the chunk's:
   * a single statement's count is exact on every driver (no JDBC batch, so no SUCCESS_NO_INFO;
   * with MariaDB's found-rows counting, a matched row is a changed row here since the version
   * always changes). PostgreSQL overrides it with one {@code UPDATE ... FROM unnest}.
   */
  void writeStates(Connection c, List<OrderStateChange> applicable, boolean counted)
      throws SQLException {
    for (int from = 0; from < applicable.size(); from += IN_CHUNK) {
      List<OrderStateChange> chunk =
          applicable.subList(from, Math.min(applicable.size(), from + IN_CHUNK));
      String byId = "CASE order_id" + " WHEN ? THEN ?".repeat(chunk.size()) + " END";
      String sql = "UPDATE " + table + " SET state = " + byId + ", state_version = " + byId
          + " WHERE order_id IN (" + marks(chunk.size()) + ") AND (state_version IS NULL OR"
          + " state_version < " + byId + ")";
      List<Long> ids = new ArrayList<>(chunk.size());
      for (OrderStateChange ch : chunk) {
        ids.add(ch.orderId());
      }
      try (PreparedStatement update = c.prepareStatement(sql)) {
        int p = 1;
        for (OrderStateChange ch : chunk) { // SET state = CASE
          update.setLong(p++, ch.orderId());
          update.setString(p++, ch.state().name());
        }
        p = bindVersions(update, p, chunk); // SET state_version = CASE
        p = bindIds(update, p, ids); // WHERE order_id IN
        bindVersions(update, p, chunk); // AND state_version < CASE
        int count = update.executeUpdate();
        if (counted) {
          expectStates(count, chunk.size(), "the state update of " + chunk.size() + " orders");
        }
      }
    }
  }

  /** Binds {@code WHEN order_id THEN version} pairs from {@code p}; the next index. */
  private static int bindVersions(PreparedStatement ps, int p, List<OrderStateChange> chunk)
      throws SQLException {
    for (OrderStateChange ch : chunk) {
      ps.setLong(p++, ch.orderId());
      ps.setInt(p++, ch.version());
    }
    return p;
  }

  /** Fails the transaction unless {@code count} rows changed, as many as were read locked. */
  final void expectStates(int count, int expected, String what) throws SQLException {
    if (count != expected) {
      throw new SQLException(what + " in " + table + " reported " + count + " rows, expected "
          + expected + " after reading them under a lock; the units it moves cannot be counted"
          + " exactly");
    }
  }

  /**
   * Whether a failed transaction may succeed if run again at once: deadlocks and serialization
   * failures (SQLSTATE class 40) and lock timeouts. The caller has rolled back already.
   */
  boolean isTransient(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        String state = ((SQLException) t).getSQLState();
        if (state != null && state.startsWith("40")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether a failed transaction will fail again however often it is run, because of the rows
   * themselves: SQLSTATE class 22 (data exception: a value the column cannot take, such as NUL in
   * a PostgreSQL text) or class 23 (integrity constraint violation: a CHECK, a foreign key, a
   * unique index other than the order id's, which the idempotent insert absorbs). Everything
   * else (08 connection failures, 40 conflicts, 42 a missing table or grant, 53 resources, 57
   * an operator's cancel, no SQLSTATE at all) is transient: the store is retried. The cause and
   * {@link SQLException#getNextException() next-exception} chains are searched, so a driver's
   * batch exception is classified by the failure it wraps; a transient state found anywhere in
   * them wins.
   */
  boolean isPermanent(SQLException e) {
    boolean permanent = false;
    for (SQLException s : chain(e)) {
      String state = s.getSQLState();
      if (state == null || state.length() < 2) {
        continue;
      }
      if (isPermanentState(state)) {
        permanent = true;
      } else if (!state.startsWith("01") && !state.startsWith("02")) { // warning, no data
        return false;
      }
    }
    return permanent;
  }

  /** Whether {@code state} alone says the rows can never be stored (class 22 or 23). */
  boolean isPermanentState(String state) {
    return state.startsWith("22") || state.startsWith("23");
  }

  /** {@code e}, its causes and next exceptions, each once, at most 32. */
  static java.util.List<SQLException> chain(SQLException e) {
    java.util.List<SQLException> out = new java.util.ArrayList<>();
    java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(
        new java.util.IdentityHashMap<>());
    java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>();
    todo.add(e);
    while (!todo.isEmpty() && out.size() < 32) {
      Throwable t = todo.poll();
      if (t == null || !seen.add(t)) {
        continue;
      }
      if (t instanceof SQLException sql) {
        out.add(sql);
        SQLException next = sql.getNextException();
        if (next != null) {
          todo.add(next);
        }
      }
      if (t.getCause() != null) {
        todo.add(t.getCause());
      }
    }
    return out;
  }

  /** The stored form of an instant: truncated to the millisecond, as every column keeps it. */
  static Instant millis(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS);
  }

  static OffsetDateTime utc(Instant instant) {
    return millis(instant).atOffset(ZoneOffset.UTC);
  }

  static LocalDateTime utcWallClock(Instant instant) {
    return LocalDateTime.ofInstant(millis(instant), ZoneOffset.UTC);
  }

  /**
   * Paid and released units that one pass of state changes newly applied to one sale: what the
   * new states count minus what the states they replaced counted. Not thread-safe.
   */
  static final class StateDelta {
    long paid;
    long released;

    /** Adds {@code sign * quantity} to the column that {@code state} counts in, if any. */
    void add(@Nullable String state, int quantity, int sign) {
      if (state == null) {
        return;
      }
      switch (state) {
        case "PAID":
          paid += (long) sign * quantity;
          break;
        case "CANCELLED":
        case "EXPIRED":
          released += (long) sign * quantity;
          break;
        default: // NULL (as confirmed), RESERVED, CONFIRMED: neither paid nor released
          break;
      }
    }
  }

  /** Units and orders newly stored for one sale in one batch. Not thread-safe. */
  static final class SaleDelta {
    long units;
    long orders;

    void add(int quantity, int count) {
      units += (long) quantity * count;
      orders += count;
    }

    /** Adds one newly inserted order to the delta of its sale. */
    static void add(SortedMap<String, SaleDelta> deltas, ConfirmedOrder o) {
      deltas.computeIfAbsent(o.saleId(), k -> new SaleDelta()).add(o.quantity(), 1);
    }
  }
}
