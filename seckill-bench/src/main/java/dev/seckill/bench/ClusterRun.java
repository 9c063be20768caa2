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
import dev.seckill.Cluster;
import dev.seckill.Durability;
import dev.seckill.IdleStrategy;
import dev.seckill.PurchaseRequest;
import dev.seckill.Rejection;
import dev.seckill.Sale;
import dev.seckill.SeckillEngine;
import dev.seckill.jdbc.JdbcStockCoordinator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import redis.clients.jedis.Jedis;

/**
 * One sale sold by {@code N} application JVMs at once, four ways (issue #13's measurement):
 * <ul>
 *   <li>{@code seckill}: each JVM runs an engine in cluster mode (durability PERSISTED, one
 *       shard), leasing stock from PostgreSQL through {@link JdbcStockCoordinator};
 *   <li>{@code redis}: each JVM calls the central Redis + Lua script of
 *       {@link RedisBaselineBenchmark} from 16 connections;
 *   <li>{@code pg-hot}: each JVM runs, from 16 connections, one PostgreSQL transaction per
 *       purchase: decrement the sale's one stock row, insert the buyer's row (the per-user
 *       limit), insert the order;
 *   <li>{@code pg-buckets}: the same with the stock split over 16 rows per sale (a random
 *       bucket first, then the others when it is empty).
 * </ul>
 * The crowd: {@code stock × buyersPerUnit} users, each wanting one unit (limit 1), split over
 * the JVMs by the hash of the user id (as nginx {@code hash $user consistent} would). A user
 * refused for a retryable reason tries again after the others of its JVM; a JVM stops once
 * it is told SOLD_OUT, or once it has no user left to serve.
 *
 * <p>Reported: units sold, confirmed/s (sold over the time from GO to the last
 * confirmation), p50 / p99 of a confirmed purchase's latency (submit to confirmation, all JVMs
 * merged; refusals are not counted: a node refuses at once while its lease is empty),
 * PostgreSQL commits per unit sold ({@code pg_stat_database.xact_commit} of the database,
 * before and after; includes every transaction of the database, so run it on a quiet
 * database), time to sell out, and stranded units ({@code stock − sold} once every JVM has
 * stopped; demand is always above stock, so anything but 0 is a unit nobody could buy).
 *
 * <p>Run: {@code java -cp seckill-bench/target/benchmarks.jar dev.seckill.bench.ClusterRun
 * <seckill|redis|pg-hot|pg-buckets> <nodes> [stock=20000] [buyersPerUnit=5]}. PostgreSQL and
 * Redis from {@link Servers} (the {@code SECKILL_IT_*} variables or the local defaults).
 */
public final class ClusterRun {
  private static final String PREFIX = "seckill_bench_cl_";
  private static final String ORDERS = PREFIX + "order";
  private static final String SALE = "cluster-bench";
  private static final int CONNECTIONS = 16;
  private static final int IN_FLIGHT = 4096;
  private static final int BUCKETS = 16;
  /** A retryable refusal's pause before the user tries again. */
  private static final long RETRY_AFTER_MILLIS = 100;
  private static final java.util.Map<Rejection, AtomicLong> REFUSALS = new java.util.concurrent.ConcurrentHashMap<>();

  private ClusterRun() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("worker")) {
      worker(args);
      return;
    }
    if (args.length < 2) {
      System.err.println("usage: ClusterRun <seckill|redis|pg-hot|pg-buckets> <nodes> [stock]"
          + " [buyersPerUnit]");
      System.exit(2);
    }
    String system = args[0];
    int nodes = Integer.parseInt(args[1]);
    long stock = args.length > 2 ? Long.parseLong(args[2]) : 20_000;
    int perUnit = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    long users = stock * perUnit;
    Row row = run(system, nodes, stock, users);
    System.out.println(row.header());
    System.out.println(row);
  }

  /** One run's figures. */
  record Row(String system, int nodes, long stock, long sold, double sellOutSeconds,
      double p50Millis, double p99Millis, double commitsPerUnit, long stranded, long voided) {
    String header() {
      return "system,nodes,stock,sold,confirmed_per_s,sell_out_s,p50_ms,p99_ms,"
          + "commits_per_unit,stranded,voided";
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s,%d,%d,%d,%.0f,%.3f,%.2f,%.2f,%.2f,%d,%d", system,
          nodes, stock, sold, sold / sellOutSeconds, sellOutSeconds, p50Millis, p99Millis,
          commitsPerUnit, stranded, voided);
    }
  }

  static Row run(String system, int nodes, long stock, long users) throws Exception {
    Path work = Files.createTempDirectory("seckill-cluster-run");
    try (HikariDataSource admin = pool(2)) {
      prepare(system, admin, stock);
      long commitsBefore = commits(admin);
      List<Process> workers = new ArrayList<>();
      List<BufferedReader> outs = new ArrayList<>();
      try {
        for (int n = 0; n < nodes; n++) {
          List<String> cmd = new ArrayList<>();
          cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
          cmd.addAll(Jvm.FLAGS);
          cmd.add("-Xmx512m");
          cmd.add("-Dclusterrun.trace=" + Boolean.getBoolean("clusterrun.trace"));
          cmd.add("-cp");
          cmd.add(System.getProperty("java.class.path"));
          cmd.add(ClusterRun.class.getName());
          cmd.addAll(List.of("worker", system, Integer.toString(n), Integer.toString(nodes),
              Long.toString(stock), Long.toString(users), work.resolve("node-" + n).toString()));
          Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
          workers.add(p);
          outs.add(new BufferedReader(new InputStreamReader(p.getInputStream(),
              StandardCharsets.UTF_8)));
        }
        for (BufferedReader r : outs) {
          expect(r, "READY");
        }
        long goMillis = System.currentTimeMillis();
        for (Process p : workers) { // GO carries the common start instant
          OutputStream o = p.getOutputStream();
          o.write(("GO " + goMillis + "\n").getBytes(StandardCharsets.UTF_8));
          o.flush();
        }
        Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
        long lastConfirm = goMillis;
        long voided = 0;
        for (BufferedReader r : outs) {
          String[] f = expect(r, "RESULT").split(" ");
          lastConfirm = Math.max(lastConfirm, Long.parseLong(f[2]));
          voided += Long.parseLong(f[3]);
          latency.add(Histogram.decodeFromCompressedByteBuffer(
              ByteBuffer.wrap(Base64.getDecoder().decode(f[4])), 0));
        }
        for (Process p : workers) {
          if (!p.waitFor(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("a worker did not stop within 2 minutes");
          }
        }
        long sold = sold(system, admin);
        // pg_stat_database is updated by backends at most about once a second: let it catch up.
        Thread.sleep(1_500);
        long commits = commits(admin) - commitsBefore;
        double seconds = Math.max(1, lastConfirm - goMillis) / 1000.0;
        return new Row(system, nodes, stock, sold, seconds,
            latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
            sold == 0 ? 0 : (double) commits / sold, stock - sold, voided);
      } finally {
        for (Process p : workers) {
          p.destroyForcibly();
        }
      }
    } finally {
      Engines.deleteTree(work);
    }
  }

  private static String expect(BufferedReader r, String prefix) throws IOException {
    String line;
    while ((line = r.readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IllegalStateException("a worker ended before printing " + prefix);
  }

  private static HikariDataSource pool(int size) {
    HikariConfig config = new HikariConfig();
    String url = Servers.postgresUrl();
    config.setJdbcUrl(url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true");
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(10_000);
    config.setPoolName("seckill-cluster-run");
    return new HikariDataSource(config);
  }

  private static long commits(HikariDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet r = s.executeQuery("SELECT xact_commit FROM pg_stat_database"
          + " WHERE datname = current_database()")) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  private static void prepare(String system, HikariDataSource ds, long stock) throws Exception {
    Servers.requireReachable("postgres");
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String t : List.of("voided_order", "user_units", "lease", "pool", "nodes", "order",
          "stock", "users")) {
        s.execute("DROP TABLE IF EXISTS " + PREFIX + t);
      }
      switch (system) {
        case "seckill" -> {
          try (JdbcStockCoordinator coordinator = coordinator(ds)) {
            coordinator.openSale(SALE, stock, 1);
          }
        }
        case "redis" -> {
          Servers.requireReachable("redis");
          try (Jedis j = RedisBaselineBenchmark.connect()) {
            j.del(redisKeys().toArray(new String[0]));
            j.set(redisKeys().get(0), Long.toString(stock));
          }
        }
        case "pg-hot", "pg-buckets" -> {
          s.execute("CREATE TABLE " + PREFIX + "stock (sale_id VARCHAR(64) NOT NULL,"
              + " bucket INT NOT NULL, remaining BIGINT NOT NULL, PRIMARY KEY (sale_id, bucket))");
          s.execute("CREATE TABLE " + PREFIX + "users (sale_id VARCHAR(64) NOT NULL,"
              + " user_id VARCHAR(128) NOT NULL, PRIMARY KEY (sale_id, user_id))");
          s.execute("CREATE TABLE " + ORDERS + " (order_id BIGINT GENERATED BY DEFAULT AS"
              + " IDENTITY PRIMARY KEY, sale_id VARCHAR(64) NOT NULL, user_id VARCHAR(128) NOT"
              + " NULL, quantity INT NOT NULL, created_at TIMESTAMP NOT NULL)");
          int buckets = system.equals("pg-hot") ? 1 : BUCKETS;
          for (int b = 0; b < buckets; b++) {
            long share = stock / buckets + (b < stock % buckets ? 1 : 0);
            s.execute("INSERT INTO " + PREFIX + "stock VALUES ('" + SALE + "', " + b + ", "
                + share + ")");
          }
        }
        default -> throw new IllegalArgumentException("system must be seckill, redis, pg-hot or"
            + " pg-buckets, was " + system);
      }
    }
  }

  private static JdbcStockCoordinator coordinator(javax.sql.DataSource ds) {
    return JdbcStockCoordinator.builder(ds).ordersTable(ORDERS).tablePrefix(PREFIX)
        .createSchemaIfMissing(true).build();
  }

  private static List<String> redisKeys() {
    String p = "seckill-bench:cluster:";
    return List.of(p + "stock", p + "users", p + "orders", p + "seq");
  }

  private static long sold(String system, HikariDataSource ds) throws SQLException {
    if (system.equals("redis")) {
      try (Jedis j = RedisBaselineBenchmark.connect()) {
        return j.llen(redisKeys().get(2));
      }
    }
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COALESCE(SUM(quantity), 0) FROM " + ORDERS
            + " WHERE sale_id = '" + SALE + "'")) {
      r.next();
      return r.getLong(1);
    }
  }

  // ---------------------------------------------------------------- worker JVM

  /** The users of JVM {@code node} of {@code nodes}: by the hash of the user id. */
  private static ArrayDeque<String> usersOf(int node, int nodes, long users) {
    ArrayDeque<String> mine = new ArrayDeque<>();
    for (long u = 0; u < users; u++) {
      String id = "u" + u;
      if (Math.floorMod(id.hashCode() * 0x9E3779B9, nodes) == node) {
        mine.add(id);
      }
    }
    return mine;
  }

  private static void worker(String[] args) throws Exception {
    String system = args[1];
    int node = Integer.parseInt(args[2]);
    int nodes = Integer.parseInt(args[3]);
    long stock = Long.parseLong(args[4]);
    long users = Long.parseLong(args[5]);
    Path dir = Path.of(args[6]);
    ArrayDeque<String> queue = usersOf(node, nodes, users);
    Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
    long[] lastConfirm = {0};
    long voided;
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (system.equals("seckill")) {
      voided = seckillWorker(dir, stock, queue, latency, lastConfirm, in);
    } else {
      voided = 0;
      poolWorker(system, queue, latency, lastConfirm, in);
    }
    System.err.println("worker " + node + ": " + latency.getTotalCount() + " answers, p50 "
        + latency.getValueAtPercentile(50) + " us; refusals " + REFUSALS);
    ByteBuffer buf = ByteBuffer.allocate(latency.getNeededByteBufferCapacity());
    latency.encodeIntoCompressedByteBuffer(buf);
    buf.flip();
    byte[] bytes = new byte[buf.remaining()];
    buf.get(bytes);
    System.out.println("RESULT " + node + " " + lastConfirm[0] + " " + voided + " "
        + Base64.getEncoder().encodeToString(bytes));
    System.out.flush();
  }

  private static long awaitGo(BufferedReader in) throws IOException {
    System.out.println("READY");
    System.out.flush();
    String go = in.readLine();
    if (go == null || !go.startsWith("GO")) {
      throw new IllegalStateException("expected GO, got " + go);
    }
    return Long.parseLong(go.substring(3).trim());
  }

  private static boolean retryable(Rejection r) {
    return r == Rejection.LEASED_ELSEWHERE || r == Rejection.COORDINATOR_UNAVAILABLE
        || r == Rejection.VOIDED || r == Rejection.OVERLOADED || r == Rejection.OVERSUBSCRIBED;
  }

  private static long seckillWorker(Path dir, long stock, ArrayDeque<String> users,
      Histogram latency, long[] lastConfirm, BufferedReader in) throws Exception {
    try (HikariDataSource ds = pool(4)) {
      JdbcStockCoordinator coordinator = coordinator(ds);
      SeckillEngine engine = SeckillEngine.builder().dataDir(dir).shards(1)
          .idleStrategy(IdleStrategy.BLOCKING).durability(Durability.PERSISTED)
          .cluster(Cluster.builder(coordinator).leaseTtl(Duration.ofSeconds(3)).build())
          .build();
      AtomicLong voided = new AtomicLong();
      try {
        engine.registerSale(Sale.builder(SALE).stock(stock).limitPerUser(1)
            .startsAt(Engines.OPEN).endsAt(Engines.CLOSE).build());
        awaitGo(in);
        if (Boolean.getBoolean("clusterrun.trace")) {
          Thread tr = new Thread(() -> {
            while (true) {
              System.err.println(System.currentTimeMillis() % 100000 + " " + engine.snapshot(SALE) + " " + REFUSALS);
              try { Thread.sleep(300); } catch (InterruptedException e) { return; }
            }
          });
          tr.setDaemon(true);
          tr.start();
        }
        // Users refused for a retryable reason come back after a short pause, as a browser
        // honouring Retry-After would (shortened: the run is seconds long).
        java.util.concurrent.DelayQueue<Again> retry = new java.util.concurrent.DelayQueue<>();
        Semaphore window = new Semaphore(IN_FLIGHT);
        AtomicBoolean soldOut = new AtomicBoolean();
        AtomicLong last = new AtomicLong();
        while (!soldOut.get()) {
          String user = users.poll();
          if (user == null) {
            Again again = retry.poll(10, TimeUnit.MILLISECONDS);
            if (again == null) {
              if (window.availablePermits() == IN_FLIGHT && retry.isEmpty()) {
                break; // every user answered for good
              }
              continue;
            }
            user = again.user;
          }
          window.acquire();
          String u = user;
          long start = System.nanoTime();
          engine.submit(PurchaseRequest.of(SALE, u, 1)).whenComplete((result, failure) -> {
            if (failure == null && result.isConfirmed()) {
              synchronized (latency) {
                latency.recordValue(Math.min(latency.getHighestTrackableValue(),
                    (System.nanoTime() - start) / 1000));
              }
              last.set(System.currentTimeMillis());
            } else if (failure == null && result.rejection() == Rejection.SOLD_OUT) {
              soldOut.set(true);
            }
            if (failure == null && !result.isConfirmed()) {
              REFUSALS.computeIfAbsent(result.rejection(), r -> new AtomicLong()).incrementAndGet();
            }
            if (failure == null && !result.isConfirmed() && retryable(result.rejection())) {
              if (result.rejection() == Rejection.VOIDED) {
                voided.incrementAndGet();
              }
              retry.add(new Again(u, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_AFTER_MILLIS)));
            }
            window.release();
          });
        }
        window.acquire(IN_FLIGHT);
        lastConfirm[0] = last.get();
      } finally {
        engine.close(); // gives the node's unsold leased units back to the pool
        coordinator.close();
      }
      return voided.get();
    }
  }

  private static void poolWorker(String system, ArrayDeque<String> users, Histogram latency,
      long[] lastConfirm, BufferedReader in) throws Exception {
    ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>(users);
    AtomicBoolean soldOut = new AtomicBoolean();
    AtomicLong last = new AtomicLong();
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(CONNECTIONS);
    List<Histogram> parts = new ArrayList<>();
    try (HikariDataSource ds = system.equals("redis") ? null : pool(CONNECTIONS)) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < CONNECTIONS; t++) {
        Histogram h = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
        parts.add(h);
        Thread th = new Thread(() -> {
          try {
            Buyer buyer = system.equals("redis") ? new RedisBuyer() : new SqlBuyer(ds,
                system.equals("pg-hot") ? 1 : BUCKETS);
            try (buyer) {
              go.await();
              String u;
              while (!soldOut.get() && (u = queue.poll()) != null) {
                long start = System.nanoTime();
                Rejection r = buyer.buy(u);
                if (r == null) {
                  h.recordValue(Math.min(h.getHighestTrackableValue(),
                      (System.nanoTime() - start) / 1000));
                  last.set(System.currentTimeMillis());
                } else if (r == Rejection.SOLD_OUT) {
                  soldOut.set(true);
                }
              }
            }
          } catch (Exception e) {
            e.printStackTrace();
          } finally {
            done.countDown();
          }
        });
        th.start();
        threads.add(th);
      }
      awaitGo(in);
      go.countDown();
      done.await();
    }
    for (Histogram h : parts) {
      latency.add(h);
    }
    lastConfirm[0] = last.get();
  }

  /** A user to try again once its pause is over. */
  private static final class Again implements java.util.concurrent.Delayed {
    final String user;
    final long atNanos;

    Again(String user, long atNanos) {
      this.user = user;
      this.atNanos = atNanos;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(atNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(java.util.concurrent.Delayed o) {
      return Long.compare(atNanos, ((Again) o).atNanos);
    }
  }

  /** One connection's purchase: null when bought, else the refusal. */
  private interface Buyer extends AutoCloseable {
    Rejection buy(String user) throws Exception;

    @Override
    void close() throws Exception;
  }

  private static final class RedisBuyer implements Buyer {
    private final Jedis jedis = new Jedis(URI.create(Servers.redisUrl()), 10_000);
    private final String sha = jedis.scriptLoad(RedisBaselineBenchmark.SCRIPT);

    @Override
    public Rejection buy(String user) {
      Object r = jedis.evalsha(sha, redisKeys(), List.of(user, "1", "1"));
      long v = (Long) r;
      if (v > 0) {
        return null;
      }
      return v == Decisions.SOLD_OUT ? Rejection.SOLD_OUT
          : v == Decisions.LIMIT_REACHED ? Rejection.LIMIT_REACHED : Rejection.INSUFFICIENT_STOCK;
    }

    @Override
    public void close() {
      jedis.close();
    }
  }

  private static final class SqlBuyer implements Buyer {
    private final Connection c;
    private final int buckets;
    private final PreparedStatement take;
    private final PreparedStatement user;
    private final PreparedStatement order;

    SqlBuyer(HikariDataSource ds, int buckets) throws SQLException {
      this.c = ds.getConnection();
      this.buckets = buckets;
      c.setAutoCommit(false);
      take = c.prepareStatement("UPDATE " + PREFIX + "stock SET remaining = remaining - 1"
          + " WHERE sale_id = ? AND bucket = ? AND remaining >= 1");
      user = c.prepareStatement("INSERT INTO " + PREFIX + "users (sale_id, user_id) VALUES (?, ?)"
          + " ON CONFLICT DO NOTHING");
      order = c.prepareStatement("INSERT INTO " + ORDERS + " (sale_id, user_id, quantity,"
          + " created_at) VALUES (?, ?, 1, CURRENT_TIMESTAMP)");
    }

    @Override
    public Rejection buy(String u) throws SQLException {
      try {
        user.setString(1, SALE);
        user.setString(2, u);
        if (user.executeUpdate() == 0) {
          c.rollback();
          return Rejection.LIMIT_REACHED;
        }
        int first = buckets == 1 ? 0 : ThreadLocalRandom.current().nextInt(buckets);
        for (int i = 0; i < buckets; i++) {
          take.setString(1, SALE);
          take.setInt(2, (first + i) % buckets);
          if (take.executeUpdate() == 1) {
            order.setString(1, SALE);
            order.setString(2, u);
            order.executeUpdate();
            c.commit();
            return null;
          }
        }
        c.rollback();
        return Rejection.SOLD_OUT;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }

    @Override
    public void close() throws SQLException {
      c.close();
    }
  }
}
