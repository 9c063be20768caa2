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
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.OrderStateChange;
import dev.seckill.spi.PermanentSinkException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * An {@link OrderSink} that writes confirmed orders to a relational database through any
 * {@link DataSource}: H2, PostgreSQL, MySQL or MariaDB. Built with {@link #builder(DataSource)}.
 *
 * <h2>Threads</h2>
 * Thread-safe: {@link #store} may be called by several shard flushers at once. Each call borrows
 * its own connection from the DataSource (use a pool, such as HikariCP) and runs its own
 * transaction; the sink holds no other mutable state. {@link #close} may be called from any
 * thread; it does not close the DataSource, which the caller owns.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>One transaction per batch.</b> {@code store} turns autocommit off, writes the orders
 *       (and the summary), commits, and rolls back on any failure: the batch is stored whole or
 *       not at all. A failed transaction that failed only because of a deadlock or serialization
 *       conflict is run again, up to {@link Builder#deadlockRetries(int)} times, before the
 *       failure is thrown.
 *   <li><b>Durable on return.</b> {@code store} returns only after {@code commit()} returned,
 *       i.e. as durable as the database makes a commit (PostgreSQL with
 *       {@code synchronous_commit=on}, InnoDB with {@code innodb_flush_log_at_trx_commit=1}:
 *       on disk; an in-memory H2: until the process ends). If {@code commit()} throws, the
 *       outcome is unknown and the exception is thrown; the engine retries, which is safe because stores are
 *   <li><b>Idempotent by order id.</b> An order whose id is stored already is left as it is, and
 *       counts for nothing in the summary. Storing a batch twice changes nothing.
 *   <li><b>Summary</b> (optional, {@link Builder#stockSummary(boolean)}): in the same
 *       transaction, one upsert per sale per batch adds the units and the number of orders that
 *       this batch newly inserted. With {@link Builder#orderStates(boolean) orderStates(true)}
 *       as well, {@link #storeStateChanges} keeps {@code units_paid} and
 *       {@code units_released} per sale, counting only the changes that applied; a reservation
 *       sale's held units are {@code units_sold - units_paid - units_released}.
 * </ul>
 *
 * <h2>Permanent and transient failures</h2>
 * A batch the database refuses because of its rows throws a {@link PermanentSinkException}
 * (the rolled-back {@link SQLException} as its cause), so the engine isolates the order at fault
 * and parks it in its dead-letter file instead of retrying the batch forever: SQLSTATE class 22
 * (data exception, e.g. PostgreSQL's {@code 22021} for a NUL character) and class 23 (integrity
 * constraint violation: a CHECK or foreign key you added, a unique index other than the order
 * id's). Every other {@code SQLException} (class 08 connection failures, 40 conflicts after the
 * retries, 42 a missing table or privilege, ...) is thrown as it is: transient, retried by the
 * engine. Values the schema cannot hold exactly (a sale id over 128 or a user id over 256
 * characters, an instant outside the years 1000 to 9999) are refused before any SQL runs, with a
 * {@code PermanentSinkException} naming the order. (MySQL and MariaDB store with
 * {@code INSERT IGNORE}, which turns most data errors into warnings instead.)
 *
 * <p> Instants are stored truncated to the
 * millisecond, in UTC, whatever the JVM's or the session's time zone.
 */
public final class JdbcOrderSink implements OrderSink {
  static final int MAX_SALE_ID = 128;
  static final int MAX_USER_ID = 256;
  private static final Instant MIN_INSTANT = Instant.parse("1000-01-01T00:00:00Z");
  private static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59.999Z");

  private final DataSource dataSource;
  private final Dialect dialect;
  private final String table;
  private final @Nullable String summaryTable;
  private final int deadlockRetries;
  private final boolean orderStates;
  private final OrderWriter writer;
  private volatile boolean closed;

  private JdbcOrderSink(Builder b, Dialect dialect) {
    this.dataSource = b.dataSource;
    this.dialect = dialect;
    this.table = b.table;
    this.summaryTable = b.stockSummary ? b.summaryTable : null;
    this.deadlockRetries = b.deadlockRetries;
    this.orderStates = b.orderStates;
    this.writer = OrderWriter.create(dialect, table, summaryTable);
  }

  /**
   * A builder for a sink over {@code dataSource}.
   *
   * @param dataSource where connections come from (a pool is recommended: each {@code store}
   *     borrows one connection and returns it); not null
   * @return a new builder with every setting at its default
   * @throws IllegalArgumentException if {@code dataSource} is null
   */
  public static Builder builder(DataSource dataSource) {
    if (dataSource == null) {
      throw new IllegalArgumentException("dataSource must not be null");
    }
    return new Builder(dataSource);
  }

  /**
   * The dialect in use: the configured one, or the one {@link Dialect#AUTO} detected.
   *
   * @return {@link Dialect#H2}, {@link Dialect#POSTGRESQL} or {@link Dialect#MYSQL}; never
   *     {@code AUTO}
   */
  public Dialect dialect() {
    return dialect;
  }

  /**
   * The orders table.
   *
   * @return the table's name as configured (an unquoted SQL identifier); never null
   */
  public String table() {
    return table;
  }

  /**
   * The summary table, or null if the summary is off.
   *
   * @return the summary table's name as configured, or null unless
   *     {@link Builder#stockSummary(boolean) stockSummary(true)} was set
   */
  public @Nullable String summaryTable() {
    return summaryTable;
  }

  /**
   * With {@link Builder#orderStates(boolean) orderStates(true)}: sets each changed order's
   * {@code state} and {@code state_version} columns, in one transaction, with an update that
   * applies a change only if its version is above the stored one ({@code state_version} NULL
   * counts as version 1, the order as confirmed), so it is idempotent on replay and never moves
   * an order backwards. A change for an order not in the table (dead-lettered) updates nothing.
   * With {@link Builder#stockSummary(boolean) stockSummary(true)} too, the same transaction adds
   * the units of the changes that applied, and only those, to the summary's {@code units_paid}
   * and {@code units_released}: the orders' rows are read under locks (500 to a statement), the
   * applicable changes written with exact counts (PostgreSQL: one statement; elsewhere one per
   * change), then one upsert per sale runs (docs/persistence.md). A failure rolls
   * back the states and the summary together. Without {@code orderStates}: ignores the changes.
   */
  @Override
  public void storeStateChanges(List<OrderStateChange> changes) throws SQLException {
    if (closed) {
      throw new IllegalStateException("JdbcOrderSink on table " + table + " is closed");
    }
    if (!orderStates || changes.isEmpty()) {
      return;
    }
    List<OrderStateChange> rows = new ArrayList<>(changes);
    rows.sort(java.util.Comparator.comparingLong(OrderStateChange::orderId)
        .thenComparingInt(OrderStateChange::version)); // one lock order, as store's
    for (int attempt = 0; ; attempt++) {
      try {
        inTransaction(c -> {
          if (summaryTable == null) {
            writer.updateStates(c, rows);
          } else {
            writer.addStatesToSummary(c, writer.updateStatesCounted(c, rows));
          }
        });
        return;
      } catch (SQLException e) {
        if (attempt >= deadlockRetries || !writer.isTransient(e)) {
          throw e;
        }
      }
    }
  }

  /**
   * True if this sink stores reservation state changes ({@link Builder#orderStates(boolean)}).
   *
   * @return whether {@link #storeStateChanges} writes the state columns
   */
  public boolean orderStates() {
    return orderStates;
  }

  /**
   * Stores {@code batch} in one transaction, idempotently by order id; returns once committed.
   *
   * @throws PermanentSinkException if an order holds a value the schema cannot store exactly, or
   *     the database refused the batch with a data exception or a constraint violation (SQLSTATE
   *     class 22 or 23; the transaction was rolled back)
   * @throws IllegalStateException if the sink is closed
   * @throws SQLException if the transaction failed for another reason (rolled back) or its
   *     commit failed (unknown)
   */
  @Override
  public void store(List<ConfirmedOrder> batch) throws SQLException, PermanentSinkException {
    if (closed) {
      throw new IllegalStateException("JdbcOrderSink on table " + table + " is closed");
    }
    if (batch.isEmpty()) {
      return;
    }
    List<ConfirmedOrder> rows = prepare(batch);
    for (int attempt = 0; ; attempt++) {
      try {
        storeOnce(rows);
        return;
      } catch (SQLException e) {
        if (attempt >= deadlockRetries || !writer.isTransient(e)) {
          if (writer.isPermanent(e)) {
            throw new PermanentSinkException("the database refused " + describe(rows)
                + " for good (SQLSTATE " + e.getSQLState() + "): " + e.getMessage(), e);
          }
          throw e;
        }
      }
    }
  }

  private void storeOnce(List<ConfirmedOrder> rows) throws SQLException {
    inTransaction(c -> {
      SortedMap<String, OrderWriter.SaleDelta> deltas = writer.insert(c, rows);
      if (deltas != null && !deltas.isEmpty()) {
        writer.addToSummary(c, deltas);
      }
    });
  }

  /** Work done on one connection inside {@link #inTransaction}. */
  private interface TransactionWork {
    void run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction on a pooled connection: commits, or rolls back on any
   * failure and rethrows it; the connection's auto-commit is restored before it goes back.
   */
  private void inTransaction(TransactionWork work) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      if (autoCommit) {
        c.setAutoCommit(false);
      }
      try {
        work.run(c);
        c.commit();
      } catch (SQLException | RuntimeException | Error e) {
        try {
          c.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      } finally {
        if (autoCommit) {
          try {
            c.setAutoCommit(true);
          } catch (SQLException ignored) {
            // The connection is being returned or closed; a pool resets or evicts it.
          }
        }
      }
    }
  }

  private static String describe(List<ConfirmedOrder> rows) {
    if (rows.size() == 1) {
      return "order " + rows.get(0).orderId();
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (ConfirmedOrder o : rows) {
      min = Math.min(min, o.orderId());
      max = Math.max(max, o.orderId());
    }
    return "a batch of " + rows.size() + " orders (ids " + min + " to " + max + ")";
  }

  /** Checks values, drops repeated order ids (first wins) and sorts into the writer's lock order. */
  private List<ConfirmedOrder> prepare(List<ConfirmedOrder> batch) throws PermanentSinkException {
    List<ConfirmedOrder> rows = new ArrayList<>(batch.size());
    Set<Long> seen = new HashSet<>(batch.size() * 2);
    for (ConfirmedOrder o : batch) {
      check(o);
      if (seen.add(o.orderId())) {
        rows.add(o);
      }
    }
    rows.sort(writer.lockOrder());
    return rows;
  }

  static void check(ConfirmedOrder o) throws PermanentSinkException {
    if (tooLong(o.saleId(), MAX_SALE_ID)) {
      throw new PermanentSinkException("order " + o.orderId() + ": saleId longer than "
          + MAX_SALE_ID + " characters cannot be stored: " + o.saleId());
    }
    if (tooLong(o.userId(), MAX_USER_ID)) {
      throw new PermanentSinkException("order " + o.orderId() + ": userId longer than "
          + MAX_USER_ID + " characters cannot be stored: " + o.userId());
    }
    Instant at = o.confirmedAt();
    if (at.isBefore(MIN_INSTANT) || at.isAfter(MAX_INSTANT)) {
      throw new PermanentSinkException("order " + o.orderId() + ": confirmedAt " + at
          + " is outside the storable range " + MIN_INSTANT + " .. " + MAX_INSTANT);
    }
  }

  private static boolean tooLong(String s, int max) {
    return s.length() > max && s.codePointCount(0, s.length()) > max;
  }

  /** Stops accepting batches. Does not close the DataSource. Idempotent. */
  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "JdbcOrderSink{dialect=" + dialect + ", table=" + table
        + (summaryTable == null ? "" : ", summaryTable=" + summaryTable) + '}';
  }

  /**
   * Configures a {@link JdbcOrderSink}. Every setter checks its value at once: a bad value is an
   * {@link IllegalArgumentException} naming the setting and the value, a second call of the
   * same setter an {@link IllegalStateException}. {@link #build()} checks what depends on the
   * database. Not thread-safe: configure on one thread.
   */
  public static final class Builder {
    /** Unquoted identifiers only, short enough that {@code <table>_sale_user_idx} fits in 63. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,47}");
    private static final Set<String> RESERVED = Set.of("ALL", "AND", "AS", "BY", "CHECK",
        "COLUMN", "CONSTRAINT", "CREATE", "DELETE", "DISTINCT", "DROP", "FROM", "GROUP", "INDEX",
        "INSERT", "INTO", "JOIN", "KEY", "LIMIT", "NOT", "NULL", "OR", "ORDER", "PRIMARY",
        "SELECT", "TABLE", "TO", "UNION", "UNIQUE", "UPDATE", "USER", "VALUES", "WHERE", "WITH");

    private final DataSource dataSource;
    private final Set<String> set = new HashSet<>();
    private Dialect dialect = Dialect.AUTO;
    private String table = "seckill_order";
    private String summaryTable = "seckill_sale_summary";
    private boolean createSchemaIfMissing;
    private boolean stockSummary;
    private boolean orderStates;
    private int deadlockRetries = 5;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    // Its own set-once check, not core's dev.seckill.Require: the adapter depends only
    // on seckill-core's public API and SPI.
    private void once(String setting) {
      if (!set.add(setting)) {
        throw new IllegalStateException(setting + " was already set");
      }
    }

    /**
     * The SQL dialect. Default {@link Dialect#AUTO}: detected from the database at build.
     *
     * @param dialect the dialect; not null (see {@link Dialect#of(String)} to parse a name)
     * @return this builder
     */
    public Builder dialect(Dialect dialect) {
      once("dialect");
      if (dialect == null) {
        throw new IllegalArgumentException("dialect must not be null");
      }
      this.dialect = dialect;
      return this;
    }

    /**
     * The orders table. Default {@code seckill_order}. An unquoted SQL identifier: a letter or
     * underscore, then letters, digits or underscores, at most 48 characters, not a keyword.
     *
     * @param table the orders table's name, an unquoted SQL identifier as above
     * @return this builder
     */
    public Builder table(String table) {
      once("table");
      this.table = identifier("table", table);
      return this;
    }

    /**
     * The summary table, used with {@link #stockSummary(boolean)}. Default {@code seckill_sale_summary}.
     *
     * @param summaryTable the summary table's name, an unquoted SQL identifier with the same rules
     *     as {@link #table(String)}
     * @return this builder
     */
    public Builder summaryTable(String summaryTable) {
      once("summaryTable");
      this.summaryTable = identifier("summaryTable", summaryTable);
      return this;
    }

    /**
     * Whether {@link #build()} creates missing tables and index from the dialect's schema
     * resource ({@code CREATE ... IF NOT EXISTS}). Default false: a missing table fails the build.
     *
     * @param create true to create missing tables (needs the DDL grant), false to only check them
     * @return this builder
     */
    public Builder createSchemaIfMissing(boolean create) {
      once("createSchemaIfMissing");
      this.createSchemaIfMissing = create;
      return this;
    }

    /**
     * Whether {@link JdbcOrderSink#storeStateChanges} stores reservation state changes (PAID,
     * CANCELLED, EXPIRED; docs/reservations.md) in the orders table's {@code state} and
     * {@code state_version} columns, with an update that never moves an order backwards. Default
     * false: state changes are ignored. The columns are in the schema {@code createSchemaIfMissing}
     * creates; add them to an existing table first (docs/persistence.md), or {@code build()}
     * fails naming them.
     *
     * @param enabled true to store state changes
     * @return this builder
     */
    public Builder orderStates(boolean enabled) {
      once("orderStates");
      this.orderStates = enabled;
      return this;
    }

    /**
     * Whether each batch also adds, per sale, the newly stored units and orders to the summary
     * table, in the same transaction. Default false. With {@link #orderStates(boolean)
     * orderStates(true)} as well, {@link JdbcOrderSink#storeStateChanges} also adds the units of
     * the changes it applied to the summary's {@code units_paid} (PAID) and
     * {@code units_released} (CANCELLED, EXPIRED) columns, in the same transaction as the state
     * updates; {@code build()} then fails naming either column if the table lacks it
     * (docs/persistence.md gives the {@code ALTER TABLE}).
     *
     * @param enabled true to maintain the summary table, false (the default) not to
     * @return this builder
     */

    public Builder stockSummary(boolean enabled) {
      once("stockSummary");
      this.stockSummary = enabled;
      return this;
    }

    /**
     * How many times a batch whose transaction failed on a deadlock, serialization conflict or
     * lock timeout is run again at once before {@code store} throws. 0 to 100; default 5.
     *
     * @param retries extra attempts per {@code store} call, 0 (none) to 100
     * @return this builder
     */
    public Builder deadlockRetries(int retries) {
      once("deadlockRetries");
      if (retries < 0 || retries > 100) {
        throw new IllegalArgumentException("deadlockRetries must be 0 to 100, was " + retries);
      }
      this.deadlockRetries = retries;
      return this;
    }

    static String identifier(String setting, String value) {
      if (value == null || !IDENTIFIER.matcher(value).matches()) {
        throw new IllegalArgumentException(setting + " must be an unquoted SQL identifier"
            + " ([A-Za-z_][A-Za-z0-9_]*, at most 48 characters), was '" + value + "'");
      }
      if (RESERVED.contains(value.toUpperCase(Locale.ROOT))) {
        throw new IllegalArgumentException(setting + " must not be an SQL keyword, was '"
            + value + "'");
      }
      return value;
    }

    /**
     * Connects once to detect the dialect (if {@link Dialect#AUTO}), creates the schema if asked,
     * and checks that the tables exist with the expected columns.
     *
     * @return a ready sink, to give to {@code SeckillEngine.Builder.orderSink}; the engine closes
     *     it when it closes
     * @throws IllegalStateException if the options conflict, the database cannot be reached
     *     (the cause is kept), its product is not supported, or a table is missing
     */
    public JdbcOrderSink build() {
      if (!stockSummary && set.contains("summaryTable")) {
        throw new IllegalStateException("summaryTable is set to '" + summaryTable
            + "' but stockSummary is off; enable stockSummary(true) or drop summaryTable");
      }
      if (stockSummary && summaryTable.equalsIgnoreCase(table)) {
        throw new IllegalStateException("summaryTable and table must differ, both are '"
            + table + "'");
      }
      Connection c;
      try {
        c = dataSource.getConnection();
      } catch (SQLException | RuntimeException e) {
        throw new IllegalStateException("JdbcOrderSink cannot connect to its DataSource ("
            + dataSource.getClass().getName() + "): " + e, e);
      }
      try (c) {
        Dialect resolved = dialect;
        if (resolved == Dialect.AUTO) {
          resolved = Dialect.detect(c.getMetaData().getDatabaseProductName());
        }
        if (!c.getAutoCommit()) {
          c.setAutoCommit(true);
        }
        if (createSchemaIfMissing) {
          createSchema(c, resolved);
        }
        probe(c, resolved, table, "order_id, sale_id, user_id, quantity, confirmed_at"
            + (orderStates ? ", state, state_version" : ""));
        if (stockSummary) {
          probe(c, resolved, summaryTable, "sale_id, units_sold, orders");
          if (orderStates) {
            for (String column : List.of("units_paid", "units_released")) {
              probeSummaryColumn(c, summaryTable, column);
            }
          }
        }
        return new JdbcOrderSink(this, resolved);
      } catch (SQLException e) {
        throw new IllegalStateException("JdbcOrderSink could not check its schema: " + e, e);
      }
    }

    private void createSchema(Connection c, Dialect d) throws SQLException {
      try (Statement s = c.createStatement()) {
        for (String sql : schemaStatements(d, table, stockSummary ? summaryTable : null)) {
          s.execute(sql);
        }
      } catch (SQLException e) {
        throw new SQLException("creating the schema from " + d.schemaResource() + " failed: "
            + e.getMessage(), e.getSQLState(), e);
      }
    }

    /** Fails naming {@code column} and the statement that adds it, if the summary lacks it. */
    private static void probeSummaryColumn(Connection c, String name, String column) {
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT " + column + " FROM " + name + " WHERE 1 = 0").close();
      } catch (SQLException e) {
        throw new IllegalStateException("summary table " + name + " lacks the column " + column
            + ", which stockSummary(true) with orderStates(true) needs: "
            + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
            + ". Add it with ALTER TABLE " + name + " ADD COLUMN " + column
            + " BIGINT NOT NULL DEFAULT 0 (see docs/persistence.md, \"Paid and released units"
            + " in the summary\")", e);
      }
    }

    private static void probe(Connection c, Dialect d, String name, String columns) {
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT " + columns + " FROM " + name + " WHERE 1 = 0").close();
      } catch (SQLException e) {
        throw new IllegalStateException("table " + name + " does not exist or lacks the columns ("
            + columns + "): " + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
            + ". Create it with the DDL in " + d.schemaResource()
            + " (see docs/persistence.md) or enable createSchemaIfMissing(true)", e);
      }
    }
  }

  /**
   * The statements of a dialect's schema resource with the table names filled in; those of the
   * summary table only if {@code summaryTable} is not null.
   */
  static List<String> schemaStatements(Dialect d, String table,
      @Nullable String summaryTable) {
    List<String> statements = readStatements(d.schemaResource());
    List<String> result = new ArrayList<>();
    for (String sql : statements) {
      if (sql.contains("${summary_table}")) {
        if (summaryTable == null) {
          continue;
        }
        sql = sql.replace("${summary_table}", summaryTable);
      }
      result.add(sql.replace("${table}", table));
    }
    return result;
  }

  /**
   * The SQL statements of a resource on the class path: lines starting with {@code --} and blank
   * lines are skipped, a statement ends with a semicolon at the end of a line (not kept).
   */
  static List<String> readStatements(String resource) {
    String text;
    try (InputStream in = JdbcOrderSink.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema resource " + resource + " is missing");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n", -1)) { // -1: keep trailing empty lines (skipped below)
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String sql = current.toString().strip();
        statements.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    return statements;
  }
}
