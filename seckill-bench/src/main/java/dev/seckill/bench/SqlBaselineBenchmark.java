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
import dev.seckill.PurchaseRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The "hot row" database baseline: one transaction per purchase, {@value #CONNECTIONS}
 * connections from HikariCP (one held by each thread), the same crowd as {@link SubmitBenchmark}:
 * <ol>
 *   <li>{@code UPDATE stock SET remaining = remaining - q WHERE sale_id = ? AND remaining >= q}
 *       (0 rows: refused, sold out);
 *   <li>{@code SELECT bought ... FOR UPDATE} on the user's row, then refuse at the limit, or
 *       {@code UPDATE} / {@code INSERT} it;
 *   <li>{@code INSERT} the order (generated id returned), then {@code COMMIT}.
 * </ol>
 * The stock row's lock is held from step 1 to the commit, so purchases of one sale serialise on
 * it: that is the point of the baseline. PostgreSQL ({@code SECKILL_IT_POSTGRES_URL}, default
 * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}, {@code reWriteBatchedInserts=true})
 * and MariaDB ({@code SECKILL_IT_MYSQL_URL}, default {@code jdbc:mariadb://127.0.0.1:3306/test?user=root})
 * run with their default durability (commit waits for the log flush); H2 is embedded, file-based,
 * in a temporary directory. Tables are named {@code seckill_bench_*}, emptied each iteration and
 * dropped at the end. A server that does not answer is skipped with a message.
 *
 * <p>Run: {@code java -jar seckill-bench/target/benchmarks.jar SqlBaselineBenchmark}
 * (one database: {@code -p db=postgres})
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Threads(SqlBaselineBenchmark.CONNECTIONS)
@Fork(value = 1, jvmArgsAppend = {Jvm.OPENS_LANG, Jvm.OPENS_REFLECT, Jvm.EXPORTS_NIO,
    Jvm.EXPORTS_JAVAC, Jvm.EXPORTS_REF, Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.HEAP})
public class SqlBaselineBenchmark {
  public static final int CONNECTIONS = 16;
  static final String SALE = "bench";
  private static final AtomicInteger ERRORS_PRINTED = new AtomicInteger();

  @Param({"postgres", "mariadb", "h2"})
  public String db;

  HikariDataSource pool;
  private Path h2Dir;

  @Setup(Level.Trial)
  public void open() throws SQLException {
    String url;
    if (db.equals("h2")) {
      h2Dir = Engines.tempDir("h2");
      url = "jdbc:h2:file:" + h2Dir.resolve("bench").toAbsolutePath() + ";LOCK_TIMEOUT=10000";
    } else {
      Servers.requireReachable(db);
      url = db.equals("postgres") ? withParam(Servers.postgresUrl(), "reWriteBatchedInserts=true")
          : Servers.mysqlUrl();
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(CONNECTIONS + 1); // + 1 for the per-iteration reset
    config.setMinimumIdle(CONNECTIONS + 1);
    config.setAutoCommit(false);
    config.setConnectionTimeout(5_000);
    config.setPoolName("seckill-bench-" + db);
    pool = new HikariDataSource(config);
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS seckill_bench_orders");
      s.execute("DROP TABLE IF EXISTS seckill_bench_users");
      s.execute("DROP TABLE IF EXISTS seckill_bench_stock");
      s.execute("CREATE TABLE seckill_bench_stock (sale_id VARCHAR(64) PRIMARY KEY,"
          + " remaining BIGINT NOT NULL)");
      s.execute("CREATE TABLE seckill_bench_users (sale_id VARCHAR(64) NOT NULL,"
          + " user_id VARCHAR(128) NOT NULL, bought INT NOT NULL, PRIMARY KEY (sale_id, user_id))");
      s.execute("CREATE TABLE seckill_bench_orders (order_id BIGINT "
          + (db.equals("mariadb") ? "AUTO_INCREMENT" : "GENERATED BY DEFAULT AS IDENTITY")
          + " PRIMARY KEY, sale_id VARCHAR(64) NOT NULL, user_id VARCHAR(128) NOT NULL,"
          + " quantity INT NOT NULL, created_at TIMESTAMP NOT NULL)");
      c.commit();
    }
  }

  private static String withParam(String url, String param) {
    return url.contains(param) ? url : url + (url.contains("?") ? "&" : "?") + param;
  }

  @Setup(Level.Iteration)
  public void reset() throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("DELETE FROM seckill_bench_stock");
      s.execute("TRUNCATE TABLE seckill_bench_users");
      s.execute("TRUNCATE TABLE seckill_bench_orders");
      s.execute("INSERT INTO seckill_bench_stock VALUES ('" + SALE + "', " + (1L << 50) + ")");
      c.commit();
    }
  }

  @TearDown(Level.Trial)
  public void drop() throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS seckill_bench_orders");
      s.execute("DROP TABLE IF EXISTS seckill_bench_users");
      s.execute("DROP TABLE IF EXISTS seckill_bench_stock");
      c.commit();
    } finally {
      pool.close();
      Engines.deleteTree(h2Dir);
    }
  }

  /** One pooled connection, its prepared statements and a slice of the crowd, per thread. */
  @State(Scope.Thread)
  public static class Session {
    @Param({"65536"})
    public int pool;

    Crowd crowd;
    Connection conn;
    PreparedStatement takeStock;
    PreparedStatement readUser;
    PreparedStatement updateUser;
    PreparedStatement insertUser;
    PreparedStatement insertOrder;

    @Setup(Level.Trial)
    public void open(SqlBaselineBenchmark bench, ThreadParams threads) throws SQLException {
      crowd = Crowd.of(SALE, "t" + threads.getThreadIndex() + "-", pool);
      conn = bench.pool.getConnection();
      takeStock = conn.prepareStatement("UPDATE seckill_bench_stock SET remaining = remaining - ?"
          + " WHERE sale_id = ? AND remaining >= ?");
      readUser = conn.prepareStatement("SELECT bought FROM seckill_bench_users"
          + " WHERE sale_id = ? AND user_id = ? FOR UPDATE");
      updateUser = conn.prepareStatement("UPDATE seckill_bench_users SET bought = ?"
          + " WHERE sale_id = ? AND user_id = ?");
      insertUser = conn.prepareStatement("INSERT INTO seckill_bench_users (sale_id, user_id, bought)"
          + " VALUES (?, ?, ?)");
      insertOrder = conn.prepareStatement("INSERT INTO seckill_bench_orders"
          + " (sale_id, user_id, quantity, created_at) VALUES (?, ?, ?, CURRENT_TIMESTAMP)",
          new String[] {"order_id"});
    }

    @Setup(Level.Iteration)
    public void rewind() {
      crowd.rewind();
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
      conn.close(); // closes its statements and returns it to the pool
    }

    long purchase(PurchaseRequest r) {
      try {
        long d = decide(r.userId(), r.quantity());
        if (d > 0) {
          conn.commit();
        } else {
          conn.rollback();
        }
        return d;
      } catch (SQLException e) {
        try {
          conn.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        if (ERRORS_PRINTED.getAndIncrement() < 5) {
          System.err.println("seckill-bench: SQL baseline transaction failed: " + e);
        }
        return Decisions.OVERLOADED;
      }
    }

    private long decide(String user, int q) throws SQLException {
      takeStock.setInt(1, q);
      takeStock.setString(2, SALE);
      takeStock.setInt(3, q);
      if (takeStock.executeUpdate() == 0) {
        return Decisions.SOLD_OUT;
      }
      readUser.setString(1, SALE);
      readUser.setString(2, user);
      int bought = -1;
      try (ResultSet rs = readUser.executeQuery()) {
        if (rs.next()) {
          bought = rs.getInt(1);
        }
      }
      if (bought >= 0) {
        if (bought + q > Crowd.LIMIT_PER_USER) {
          return Decisions.LIMIT_REACHED;
        }
        updateUser.setInt(1, bought + q);
        updateUser.setString(2, SALE);
        updateUser.setString(3, user);
        updateUser.executeUpdate();
      } else {
        insertUser.setString(1, SALE);
        insertUser.setString(2, user);
        insertUser.setInt(3, q);
        insertUser.executeUpdate();
      }
      insertOrder.setString(1, SALE);
      insertOrder.setString(2, user);
      insertOrder.setInt(3, q);
      insertOrder.executeUpdate();
      try (ResultSet keys = insertOrder.getGeneratedKeys()) {
        return keys.next() ? keys.getLong(1) : 1;
      }
    }
  }

  @Benchmark
  public long transaction(Session s, Outcomes outcomes) {
    long d = s.purchase(s.crowd.next());
    outcomes.add(d);
    return d;
  }
}
