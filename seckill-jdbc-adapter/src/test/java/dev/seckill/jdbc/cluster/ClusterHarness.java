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
package dev.seckill.jdbc.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.seckill.jdbc.ChildJvm;
import dev.seckill.jdbc.Dialect;
import dev.seckill.jdbc.TestDatabases;
import dev.seckill.jdbc.cluster.NodeProcess.Answer;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The driver of the multi-JVM cluster tests: a database, one {@link TcpProxy} and one
 * {@link ClusterNodeMain} JVM per node, a crowd of buyers routed to nodes by a consistent hash of
 * the user (as nginx {@code hash $user consistent}: the next node on the ring when one is down
 * or answers a retryable refusal), a file of every confirmation the driver was told about
 * (forced before it is counted), and the checks run against the database directly at the end.
 *
 * <p>Each harness has its own tables (a unique prefix and orders table), its own sale id and
 * its own temporary directory; {@link #close()} kills every child JVM whatever happened.
 */
final class ClusterHarness implements AutoCloseable {
  static final String POSTGRES_ENV = TestDatabases.POSTGRES_ENV;
  static final String MYSQL_ENV = TestDatabases.MYSQL_ENV;

  static final long TTL_MILLIS = 1_500;
  static final long GRACE_MILLIS = 750;
  /**
   * The coordinator's idleTransactionTimeout: a node frozen inside a coordinator transaction
   * holds the pool row's lock; without the bound every other node's lease() and the reaper wait
   * behind it for the whole freeze (found by aNodeFrozenPastTtlAndGrace...: the sale stalled).
   */
  static final long IDLE_TRANSACTION_MILLIS = 1_000;
  /** How long a buyer waits before retrying after a retryable refusal (client pacing). */
  static final long RETRY_MILLIS = 50;

  final Dialect dialect;
  final Path dir;
  final String prefix;
  final String orders;
  final String sale;
  final int stock;
  final int limit;
  final DataSource db;
  private final String url;
  private final List<TcpProxy> proxies = new ArrayList<>();
  final List<NodeProcess> nodes = new ArrayList<>();
  private final Map<Integer, Integer> nodeIndexById = new ConcurrentHashMap<>();
  private final Set<Integer> up = ConcurrentHashMap.newKeySet();
  private final int[] ring;
  private final int[] ringNode;
  private final FileChannel okFile;
  private final Path okPath;
  /** Confirmed order id → user, as the driver was told (after the file was forced). */
  final Map<Long, String> confirmed = new ConcurrentHashMap<>();
  /** Confirmations per node index. */
  final Map<Integer, AtomicInteger> confirmedByNode = new ConcurrentHashMap<>();
  /** Per node index: users whose purchase the node never answered because it was killed. */
  final Map<Integer, Set<String>> lostUsers = new ConcurrentHashMap<>();
  /** Node indexes ever killed with kill -9. */
  final Set<Integer> killed = ConcurrentHashMap.newKeySet();
  /** Every answer, by request number. */
  final Map<Long, Answer> answers = new ConcurrentHashMap<>();
  /** Refusals seen, by reason (for the report). */
  final Map<String, AtomicInteger> refusals = new ConcurrentHashMap<>();
  /** Answers that must not happen (ERR lines, refusals no retry explains). */
  final Queue problems = new Queue();
  private final AtomicLong requestNo = new AtomicLong();
  /** The node JVM's main class: {@link ClusterNodeMain} (the engine) or {@link CoordinatorNodeMain}. */
  Class<?> nodeMain = ClusterNodeMain.class;
  private final Object okLock = new Object();
  private final Instant startsAt = Instant.now().minus(Duration.ofMinutes(1));

  /** A concurrent list of problems, for assertions. */
  static final class Queue extends ConcurrentLinkedQueue<String> {
    private static final long serialVersionUID = 1L;
  }

  private ClusterHarness(Dialect dialect, String url, DataSource db, Path dir, String name,
      int nodeCount, int stock, int limit) throws IOException {
    this.dialect = dialect;
    this.url = url;
    this.db = db;
    this.dir = dir;
    String unique = name + "_" + ProcessHandle.current().pid() + "_"
        + Long.toHexString(System.nanoTime() & 0xffffffL);
    this.prefix = "cit_" + unique + "_";
    this.orders = "cit_" + unique + "_orders";
    this.sale = "sale-" + unique;
    this.stock = stock;
    this.limit = limit;
    this.okPath = dir.resolve("confirmed.txt");
    this.okFile = FileChannel.open(okPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    // The consistent-hash ring: 160 points per node, as nginx's ketama-style hash.
    TreeMap<Integer, Integer> points = new TreeMap<>();
    for (int n = 0; n < nodeCount; n++) {
      for (int p = 0; p < 160; p++) {
        points.put(hash("node-" + n + "-" + p), n);
      }
    }
    ring = points.keySet().stream().mapToInt(Integer::intValue).toArray();
    ringNode = points.values().stream().mapToInt(Integer::intValue).toArray();
  }

  /** A harness on PostgreSQL; skips (or fails if required) without {@value #POSTGRES_ENV}. */
  static ClusterHarness postgres(Path dir, String name, int nodes, int stock, int limit)
      throws Exception {
    String url = envUrl(POSTGRES_ENV, "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    return new ClusterHarness(Dialect.POSTGRESQL, url,
        TestDatabases.reachable(ds, POSTGRES_ENV, url), dir, name, nodes, stock, limit);
  }

  /** A harness on MariaDB/MySQL; skips (or fails if required) without {@value #MYSQL_ENV}. */
  static ClusterHarness mysql(Path dir, String name, int nodes, int stock, int limit)
      throws Exception {
    String url = envUrl(MYSQL_ENV, "jdbc:mariadb://127.0.0.1:3306/test?user=root");
    return new ClusterHarness(Dialect.MYSQL, url,
        TestDatabases.reachable(new MariaDbDataSource(url), MYSQL_ENV, url), dir, name, nodes,
        stock, limit);
  }

  // ---------------------------------------------------------------- nodes

  /** Starts {@code count} nodes (in parallel), node i's clock offset by offsets[i] minutes. */
  void startNodes(int count, long... clockOffsetMinutes) throws Exception {
    URI u = URI.create(url.substring("jdbc:".length()));
    for (int i = 0; i < count; i++) {
      TcpProxy proxy = new TcpProxy(u.getHost(), u.getPort());
      proxies.add(proxy);
      long offset = i < clockOffsetMinutes.length ? clockOffsetMinutes[i] : 0;
      Path data = dir.resolve("node-" + i);
      NodeProcess node = new NodeProcess(i, proxy, command(i, proxy.port(), data, offset),
          dir.resolve("node-" + i + ".log"));
      nodes.add(node);
      lostUsers.put(i, ConcurrentHashMap.newKeySet());
      confirmedByNode.put(i, new AtomicInteger());
    }
    for (NodeProcess n : nodes) {
      n.start();
    }
    for (NodeProcess n : nodes) {
      ready(n);
    }
  }

  private void ready(NodeProcess n) throws Exception {
    int id = n.awaitReady();
    Integer before = nodeIndexById.put(id, n.index);
    if (before != null && before != n.index) {
      fail("node id " + id + " given to nodes " + before + " and " + n.index);
    }
    up.add(n.index);
  }

  /** kill -9 of node i (taken out of routing first); its unanswered buyers are recorded. */
  void kill9(int i) throws InterruptedException {
    up.remove(i);
    killed.add(i);
    nodes.get(i).kill9();
  }

  /** Starts node i again on its data directory and puts it back in routing. */
  void restart(int i) throws Exception {
    nodes.get(i).start();
    ready(nodes.get(i));
  }

  /** kill -STOP of node i; routing leaves it (nginx would time it out). */
  void stop(int i) throws Exception {
    up.remove(i);
    nodes.get(i).stop();
  }

  /** kill -CONT of node i; back in routing. */
  void cont(int i) throws Exception {
    nodes.get(i).cont();
    up.add(i);
  }

  /**
   * Takes node i out of routing (as nginx does with an upstream that times out), or puts it
   * back: a node cut off from the database holds every answer behind its unsettled orders
   * (PERSISTED answers in ring order), so a crowd routed to it would only queue there.
   */
  void routeAround(int i, boolean around) {
    if (around) {
      up.remove(i);
    } else {
      up.add(i);
    }
  }

  /**
   * Cuts node i off the database and waits until it holds at least {@code n} unanswered
   * purchases sent after the cut: orders it decided (or refusals queued behind them) that
   * cannot settle before the proxy heals, since no transaction can complete through it. Returns
   * those request numbers; the proxy stays partitioned. It waits first until the node's lease
   * has {@code n} units not settled (by the database), and retries (healed in between) up to 5
   * times if no purchase stayed unanswered.
   */
  Set<Long> partitionWithOrdersInFlight(int i, int n) throws Exception {
    for (int attempt = 1; ; attempt++) {
      // Its lease has units not settled yet: unsold ones (buyers keep coming) or sold ones
      // being settled; either way purchases will wait behind the partition.
      pollDb("node " + i + "'s lease holding " + n + " unsettled units", Duration.ofSeconds(30),
          () -> unsettledUnits(i) >= n);
      proxy(i).partition();
      Set<Long> before = nodes.get(i).pendingRequests();
      // Purchases still unanswered over three polls in a row (20 ms or more): not merely in
      // the pipe to the node (which answers a refusal at once), but held behind the partition.
      List<Set<Long>> seen = new ArrayList<>();
      Set<Long> stable = new HashSet<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() - deadline < 0) {
        Set<Long> now = nodes.get(i).pendingRequests();
        now.removeAll(before);
        seen.add(now);
        if (seen.size() >= 3) {
          stable.clear();
          stable.addAll(now);
          for (Set<Long> earlier : seen.subList(seen.size() - 3, seen.size() - 1)) {
            stable.retainAll(earlier);
          }
          if (stable.size() >= n) {
            return stable;
          }
        }
        CompletableFuture.runAsync(() -> { },
            CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS)).join();
      }
      // Its lease was empty (nothing to sell, only refusals): heal, let it sell again, retry.
      proxy(i).heal();
      if (attempt >= 5) {
        fail("node " + i + " never held " + n + " purchases behind its partition in 5 attempts; "
            + report() + "\n" + sessions());
      }
    }
  }

  /** Waits until node i has confirmed at least {@code n} purchases. */
  void awaitConfirmedBy(int i, int n) throws Exception {
    poll("node " + i + " confirmed " + n + "; " + report(), Duration.ofSeconds(60),
        () -> confirmedByNode.get(i).get() >= n);
  }

  TcpProxy proxy(int i) {
    return proxies.get(i);
  }

  /** Closes every node (each ends its leases) and waits for them to exit. */
  void closeNodes() throws Exception {
    for (NodeProcess n : nodes) {
      n.closeGracefully();
    }
  }

  private List<String> command(int i, int port, Path data, long offsetMinutes) {
    URI u = URI.create(url.substring("jdbc:".length()));
    String nodeUrl = url.replaceFirst("//" + u.getHost() + ":" + u.getPort() + "/",
        "//127.0.0.1:" + port + "/");
    // Time-outs so a partition shows up as failed calls, not as threads hung for ever.
    nodeUrl += (nodeUrl.contains("?") ? "&" : "?") + (dialect == Dialect.POSTGRESQL
        ? "socketTimeout=5&connectTimeout=3&loginTimeout=3"
        : "socketTimeout=5000&connectTimeout=3000");
    List<String> cmd = ChildJvm.command();
    cmd.add("-XX:ActiveProcessorCount=1");
    cmd.add("-Xmx128m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Xshare:auto");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(nodeMain.getName());
    cmd.add("data=" + data);
    cmd.add("url=" + nodeUrl);
    cmd.add("dialect=" + dialect.name());
    cmd.add("prefix=" + prefix);
    cmd.add("orders=" + orders);
    cmd.add("sale=" + sale);
    cmd.add("stock=" + stock);
    cmd.add("limit=" + limit);
    cmd.add("startsAt=" + startsAt.toEpochMilli());
    cmd.add("endsAt=" + startsAt.plus(Duration.ofHours(2)).toEpochMilli());
    cmd.add("ttlMillis=" + TTL_MILLIS);
    cmd.add("graceMillis=" + GRACE_MILLIS);
    cmd.add("chunk=" + Math.max(1, stock / 20));
    cmd.add("clockOffsetMinutes=" + offsetMinutes);
    cmd.add("idleMillis=" + IDLE_TRANSACTION_MILLIS);
    return cmd;
  }

  // ---------------------------------------------------------------- the crowd

  /**
   * Buyers {@code userPrefix0..users-1}, each wanting {@code want} units bought one at a time,
   * at most {@code inFlight} buyers at once. A buyer stops when it has its units or is told
   * SOLD_OUT or LIMIT_REACHED; it retries (next node on the ring, after {@value #RETRY_MILLIS}
   * ms) on a retryable refusal, an error, or a node killed before answering. The future
   * completes when every buyer stopped.
   */
  CompletableFuture<Void> crowd(String userPrefix, int users, int want, int inFlight) {
    CompletableFuture<Void> all = new CompletableFuture<>();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    Runnable[] startNext = new Runnable[1];
    startNext[0] = () -> {
      int u = next.getAndIncrement();
      if (u >= users) {
        return;
      }
      new Buyer(userPrefix + u, want, () -> {
        if (done.incrementAndGet() == users) {
          all.complete(null);
        } else {
          startNext[0].run();
        }
      }).attempt(0);
    };
    for (int i = 0; i < Math.min(inFlight, users); i++) {
      startNext[0].run();
    }
    return all;
  }

  private final class Buyer {
    final String user;
    final int want;
    final Runnable onDone;
    int got;

    Buyer(String user, int want, Runnable onDone) {
      this.user = user;
      this.want = want;
      this.onDone = onDone;
    }

    void attempt(int k) {
      int node = route(user, k);
      if (node < 0) {
        later(k); // every node down: wait for one
        return;
      }
      long req = requestNo.incrementAndGet();
      nodes.get(node).buy(req, user, 1).thenAccept(a -> answered(node, k, a, req));
    }

    void answered(int node, int k, Answer a, long req) {
      answers.put(req, a);
      switch (a.kind()) {
        case "OK":
          recordConfirmed(a.orderId(), user, node);
          if (++got >= want) {
            onDone.run();
          } else {
            attempt(0);
          }
          return;
        case "LOST":
          lostUsers.get(node).add(user);
          later(k + 1);
          return;
        case "ERR":
          problems.add("node " + node + " ERR for " + user + ": " + a.detail());
          later(k + 1);
          return;
        default:
          break;
      }
      refusals.computeIfAbsent(a.detail(), r -> new AtomicInteger()).incrementAndGet();
      switch (a.detail()) {
        case "SOLD_OUT":
        case "LIMIT_REACHED":
          onDone.run();
          return;
        case "LEASED_ELSEWHERE":
        case "COORDINATOR_UNAVAILABLE":
        case "VOIDED":
        case "OVERLOADED":
        case "OVERSUBSCRIBED":
        case "INSUFFICIENT_STOCK":
          later(k + 1);
          return;
        default:
          problems.add("node " + node + " refused " + user + " with " + a.detail());
          onDone.run();
      }
    }

    void later(int k) {
      Executor delayed = CompletableFuture.delayedExecutor(RETRY_MILLIS, TimeUnit.MILLISECONDS);
      delayed.execute(() -> attempt(k));
    }
  }

  /** The k-th distinct live node clockwise from the user's point on the ring; -1 if none. */
  int route(String user, int k) {
    List<Integer> live = new ArrayList<>(3);
    int h = hash(user);
    int start = java.util.Arrays.binarySearch(ring, h);
    if (start < 0) {
      start = -start - 1;
    }
    for (int j = 0; j < ring.length && live.size() < nodes.size(); j++) {
      int n = ringNode[(start + j) % ring.length];
      if (!live.contains(n) && up.contains(n)) {
        live.add(n);
      }
    }
    return live.isEmpty() ? -1 : live.get(k % live.size());
  }

  private static int hash(String s) {
    int h = 0x811c9dc5; // FNV-1a, then a final mix
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ b) * 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    return h;
  }

  /** Appends the confirmation to the file and forces it, then counts it. */
  private void recordConfirmed(long orderId, String user, int node) {
    synchronized (okLock) {
      try {
        okFile.write(ByteBuffer.wrap((orderId + " " + user + " " + node + "\n")
            .getBytes(StandardCharsets.UTF_8)));
        okFile.force(false);
      } catch (IOException e) {
        throw new IllegalStateException("cannot record a confirmation in " + okPath, e);
      }
      if (confirmed.put(orderId, user) != null) {
        problems.add("order " + orderId + " confirmed twice");
      }
      confirmedByNode.get(node).incrementAndGet();
      okLock.notifyAll();
    }
  }

  /** Waits until at least {@code n} confirmations were recorded. */
  void awaitConfirmed(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    synchronized (okLock) {
      while (confirmed.size() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail("only " + confirmed.size() + " of " + n + " confirmations within 60 s; " + report());
        }
        okLock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /** Waits for the crowd, failing with the state of things if it takes more than a minute. */
  void await(CompletableFuture<Void> crowd) throws Exception {
    try {
      crowd.get(90, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      fail("the crowd did not finish within 90 s; " + report());
    }
  }

  /**
   * Polls a condition (for example a database one) until it holds; fails after {@code timeout}.
   * The 10 ms pause between polls is pacing, not synchronisation: the condition decides.
   */
  static void poll(String what, Duration timeout, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("not within " + timeout + ": " + what);
      }
      CompletableFuture.runAsync(() -> { },
          CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS)).join();
    }
  }

  /** {@link #poll}, failing with the database's sessions and locks (who blocks whom). */
  void pollDb(String what, Duration timeout, BooleanSupplier condition) throws Exception {
    try {
      poll(what, timeout, condition);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; " + report() + "\n" + sessions(), e);
    }
  }

  /** The database's other sessions on this database: state, transaction age, waits, query. */
  String sessions() {
    String sql = dialect == Dialect.POSTGRESQL
        ? "SELECT pid, state, now() - xact_start, wait_event_type, pg_blocking_pids(pid),"
            + " left(query, 160) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND pid <> pg_backend_pid()"
        : "SELECT id, command, time, state, '', left(info, 160) FROM information_schema.processlist";
    StringBuilder b = new StringBuilder("sessions:");
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        b.append("\n  ");
        for (int i = 1; i <= 6; i++) {
          b.append(rs.getString(i)).append(" | ");
        }
      }
    } catch (SQLException e) {
      b.append(e);
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- database views

  /** Units in stored orders of the sale. */
  long unitsStored() {
    return longQuery("SELECT COALESCE(SUM(quantity), 0) FROM " + orders + " WHERE sale_id = ?");
  }

  /** Active leases of node index i (0 or 1). */
  long activeLeases(int i) {
    return longQuery("SELECT COUNT(*) FROM " + prefix + "lease WHERE sale_id = ? AND state ="
        + " 'ACTIVE' AND node_id = " + nodeIdOf(i));
  }

  /** Granted minus used of node i's active lease (0 without one). */
  long unsettledUnits(int i) {
    return longQuery("SELECT COALESCE(SUM(granted - used), 0) FROM " + prefix + "lease WHERE"
        + " sale_id = ? AND state = 'ACTIVE' AND node_id = " + nodeIdOf(i));
  }

  /** The ids of the sale's stored orders, now. */
  Set<Long> storedOrderIds() {
    String q = "SELECT order_id FROM " + orders + " WHERE sale_id = ?";
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(q)) {
      ps.setString(1, sale);
      Set<Long> ids = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
      return ids;
    } catch (SQLException e) {
      throw new IllegalStateException(q, e);
    }
  }

  /** Whether node i's lease has been revoked (by another node's reaper). */
  long revokedLeases(int i) {
    return longQuery("SELECT COUNT(*) FROM " + prefix + "lease WHERE sale_id = ? AND state ="
        + " 'REVOKED' AND node_id = " + nodeIdOf(i));
  }

  /** Active leases still in force by the database clock (not past expiry + grace). */
  long leasesInForce() {
    String inForce = dialect == Dialect.MYSQL
        ? "expires_at > CURRENT_TIMESTAMP(3) - INTERVAL " + GRACE_MILLIS * 1000 + " MICROSECOND"
        : "expires_at > CURRENT_TIMESTAMP - INTERVAL '" + GRACE_MILLIS + " milliseconds'";
    return longQuery("SELECT COUNT(*) FROM " + prefix + "lease WHERE sale_id = ? AND state ="
        + " 'ACTIVE' AND " + inForce);
  }

  int nodeIdOf(int index) {
    for (Map.Entry<Integer, Integer> e : nodeIndexById.entrySet()) {
      if (e.getValue() == index) {
        return e.getKey();
      }
    }
    throw new IllegalStateException("node " + index + " never became ready");
  }

  private long longQuery(String sql) {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, sale);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  // ---------------------------------------------------------------- the end

  /**
   * After the faults: sells what is left to fresh buyers until the database holds the whole
   * stock (demand > stock: nothing may stay stranded), then closes every node.
   */
  void sellOutAndClose() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int round = 0;
    long sold;
    while ((sold = unitsStored()) < stock) {
      if (System.nanoTime() - deadline > 0) {
        fail("units stranded: " + sold + " of " + stock + " sold after " + round
            + " rounds of fresh buyers; " + report());
      }
      // Units the database still counts as sellable: in the pool, or leased and not yet used
      // (a dead node's lease until it is reaped, a live node's until it sells them).
      poll("sellable units while only " + sold + " of " + stock + " are stored; " + report(),
          Duration.ofSeconds(30), () -> unitsStored() < stock && sellable() > 0
              || unitsStored() >= stock);
      if (unitsStored() >= stock) {
        break;
      }
      round++;
      int before = confirmed.size();
      long sellableBefore = sellable();
      await(crowd("late" + round + "-", (int) (stock - sold) + 10, 1, 16));
      if (confirmed.size() == before) {
        // Nothing sold this round (the units are in a lease being settled or reaped): wait for
        // the database to move before the next round.
        long soldBefore = sold;
        poll("the database to move (stored " + soldBefore + ", sellable " + sellableBefore
            + ") after a round that sold nothing; " + report(), Duration.ofSeconds(30),
            () -> unitsStored() != soldBefore || sellable() != sellableBefore);
      }
    }
    lateRounds = round;
    closeNodes();
  }

  volatile int lateRounds;

  /** Pool free plus the unused part of active leases. */
  long sellable() {
    return longQuery("SELECT (SELECT COALESCE(SUM(free), 0) FROM " + prefix + "pool WHERE sale_id"
        + " = ?) + (SELECT COALESCE(SUM(granted - used), 0) FROM " + prefix + "lease WHERE"
        + " sale_id = '" + sale + "' AND state = 'ACTIVE')");
  }

  /** Every check of the issue, against the database directly. */
  void check(boolean demandExceedsStock) throws Exception {
    String report = report();
    assertThat(problems).as("answers that must not happen; %s", report).isEmpty();

    Map<Long, String[]> stored = new HashMap<>(); // order id → user, quantity
    long sold = 0;
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT order_id, user_id, quantity FROM " + orders
            + " WHERE sale_id = '" + sale + "'")) {
      while (rs.next()) {
        if (stored.put(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3)}) != null) {
          fail("order " + rs.getLong(1) + " stored twice");
        }
        sold += rs.getInt(3);
      }
    }
    Map<Long, String> voided = new HashMap<>();
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT order_id, reason FROM " + prefix
            + "voided_order WHERE sale_id = '" + sale + "'")) {
      while (rs.next()) {
        voided.put(rs.getLong(1), rs.getString(2));
      }
    }
    long free;
    long poolStock;
    long released;
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT free, stock, released FROM " + prefix
            + "pool WHERE sale_id = '" + sale + "'")) {
      assertThat(rs.next()).as("the sale's pool row").isTrue();
      free = rs.getLong(1);
      poolStock = rs.getLong(2);
      released = rs.getLong(3);
    }
    long activeGranted = 0;
    long endedUsed = 0;
    long allUsed = 0;
    long active = 0;
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT state, granted, used FROM " + prefix
            + "lease WHERE sale_id = '" + sale + "'")) {
      while (rs.next()) {
        if (rs.getString(1).equals("ACTIVE")) {
          activeGranted += rs.getLong(2);
          active++;
        } else {
          endedUsed += rs.getLong(3);
        }
        allUsed += rs.getLong(3);
      }
    }
    Map<String, Long> authority = new HashMap<>();
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT user_id, units FROM " + prefix
            + "user_units WHERE sale_id = '" + sale + "'")) {
      while (rs.next()) {
        authority.put(rs.getString(1), rs.getLong(2));
      }
    }
    String db = "free=" + free + " activeGranted=" + activeGranted + " endedUsed=" + endedUsed
        + " released=" + released + " sold=" + sold + " orders=" + stored.size() + " voided="
        + voided.size() + "; "
        + report;

    assertThat(poolStock).isEqualTo(stock);
    // No reservations here: released stays 0, but the books are the coordinator's.
    assertThat(free + activeGranted + endedUsed).as("conservation; %s", db)
        .isEqualTo(stock + released);
    assertThat(sold).as("units sold <= stock; %s", db).isLessThanOrEqualTo(stock);
    assertThat(allUsed).as("Σ used of all leases == units stored; %s", db).isEqualTo(sold);
    assertThat(active).as("no lease left active once every node closed; %s", db).isZero();
    if (demandExceedsStock) {
      assertThat(sold).as("demand > stock: sold out, nothing stranded; %s", db).isEqualTo(stock);
    }

    // Every confirmation the driver recorded (re-read from the forced file) is stored, once,
    // and never voided.
    Map<Long, String> fromFile = new HashMap<>();
    for (String line : Files.readAllLines(okPath)) {
      String[] f = line.split(" ");
      fromFile.put(Long.parseLong(f[0]), f[1]);
    }
    assertThat(fromFile).as("the forced file holds every counted confirmation")
        .isEqualTo(confirmed);
    for (Map.Entry<Long, String> ok : confirmed.entrySet()) {
      assertThat(stored).as("confirmed order %s (user %s) stored; %s", ok.getKey(),
          ok.getValue(), db).containsKey(ok.getKey());
      assertThat(stored.get(ok.getKey())[0]).isEqualTo(ok.getValue());
      assertThat(voided).as("confirmed order %s never voided", ok.getKey())
          .doesNotContainKey(ok.getKey());
    }
    assertThat(voided.keySet()).as("no order both stored and voided")
        .doesNotContainAnyElementsOf(stored.keySet());

    // A stored order nobody was told about must come from a node killed before it answered,
    // for a user whose purchase that node never answered.
    List<String> unexplained = new ArrayList<>();
    int fromKilled = 0;
    for (Map.Entry<Long, String[]> o : stored.entrySet()) {
      if (confirmed.containsKey(o.getKey())) {
        continue;
      }
      int nodeId = (int) (o.getKey() >>> 48);
      Integer index = nodeIndexById.get(nodeId);
      if (index != null && killed.contains(index) && lostUsers.get(index).contains(o.getValue()[0])) {
        fromKilled++;
      } else {
        unexplained.add(o.getKey() + " (node id " + nodeId + ", index " + index + ", user "
            + o.getValue()[0] + ")");
      }
    }
    assertThat(unexplained).as("stored orders nobody was told about, not explained by a kill -9;"
        + " %s", db).isEmpty();
    lastReport = db + " unacknowledgedFromKilledNodes=" + fromKilled;

    // Per-user limit: stored units per user within the limit, and the authority rows agree.
    Map<String, Long> perUser = new HashMap<>();
    for (String[] o : stored.values()) {
      perUser.merge(o[0], Long.parseLong(o[1]), Long::sum);
    }
    for (Map.Entry<String, Long> e : perUser.entrySet()) {
      assertThat(e.getValue()).as("user %s within the limit", e.getKey())
          .isLessThanOrEqualTo(limit);
    }
    Set<String> users = new HashSet<>(perUser.keySet());
    users.addAll(authority.keySet());
    for (String user : users) {
      assertThat(authority.getOrDefault(user, 0L)).as("user_units of %s == stored units", user)
          .isEqualTo(perUser.getOrDefault(user, 0L));
    }
  }

  /** What happened, for assertion messages and the test log. */
  String report() {
    Map<Integer, Integer> byNode = new TreeMap<>();
    confirmedByNode.forEach((k, v) -> byNode.put(k, v.get()));
    Map<String, Integer> refused = new TreeMap<>();
    refusals.forEach((k, v) -> refused.put(k, v.get()));
    Map<Integer, Integer> lost = new TreeMap<>();
    lostUsers.forEach((k, v) -> lost.put(k, v.size()));
    return "confirmed=" + confirmed.size() + " byNode=" + byNode + " refusals=" + refused
        + " lostByNode=" + lost + " problems=" + problems.size() + " (logs in " + dir + ")";
  }

  volatile String lastReport = "";

  /** Drops the run's tables (called only when the test passed: failures keep them). */
  void dropTables() throws SQLException {
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      for (String t : List.of(orders, prefix + "pool", prefix + "lease", prefix + "user_units",
          prefix + "voided_order", prefix + "nodes")) {
        s.execute("DROP TABLE IF EXISTS " + t);
      }
      if (dialect == Dialect.POSTGRESQL) {
        s.execute("DROP SEQUENCE IF EXISTS " + prefix + "node_seq");
      }
    }
  }

  @Override
  public void close() throws IOException {
    for (NodeProcess n : nodes) {
      n.close();
    }
    for (TcpProxy p : proxies) {
      p.close();
    }
    okFile.close();
  }

  // ---------------------------------------------------------------- environment


  /** The URL in {@code env}: the cluster tests are skipped without it (failed if required). */
  static String envUrl(String env, String example) {
    return TestDatabases.url(env, "cluster", example);
  }
}
