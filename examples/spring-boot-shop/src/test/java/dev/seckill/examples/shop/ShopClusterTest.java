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
package dev.seckill.examples.shop;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three shop instances in cluster mode (child JVMs, {@code postgres,cluster} profiles, one sale,
 * one PostgreSQL) behind nginx configured from {@code examples/cluster/nginx.conf.template}
 * (consistent hash on {@code X-User}, {@code proxy_next_upstream error timeout}), the same
 * config {@code run-cluster.sh} uses. Buyers buy through nginx; once a third of the stock is
 * sold one instance is killed with {@code kill -9}, and buying goes on until the shop answers
 * {@code SOLD_OUT}. Then, in PostgreSQL:
 * <ul>
 *   <li>units sold ≤ stock, and every user within the limit of 1; a user refused
 *       {@code LIMIT_REACHED} did buy (an order the killed instance stored before it could answer);
 *   <li>every purchase a buyer was answered 201 for is in the orders table, once, for that user;
 *   <li>the coordinator's books: pool free + active leases' granted + ended leases' used ==
 *       stock + pool released (0 here: no reservations), and the leases' used == the units in
 *       the orders table;
 *   <li>sold == stock: the dead instance's lease was reaped by the others (after lease-ttl +
 *       reap-grace) and its unsold units sold by them, nothing stranded.
 * </ul>
 * Also checked: nginx's consistent hash keeps every user of a surviving instance on it after the
 * kill and spreads the dead one's users over the survivors.
 *
 * <p>Needs {@code SECKILL_IT_POSTGRES_URL} and nginx (Debian's package, {@code /usr/sbin/nginx});
 * skipped with a message otherwise, unless {@code SECKILL_IT_REQUIRED=true}, which fails instead.
 * Tables get a prefix of their own and are dropped afterwards.
 */
@Tag("slow")
class ShopClusterTest {
  static final int NODES = 3;
  static final int STOCK = 240;
  static final int USERS = 3 * STOCK;
  static final int BUYERS = 12;
  static final Duration STARTUP = Duration.ofSeconds(180);
  static final Duration SALE_DEADLINE = Duration.ofSeconds(180);

  final List<Process> shops = new ArrayList<>();
  final List<Path> logs = new ArrayList<>();
  Process nginx;
  Path nginxDir;
  String dbUrl;
  String prefix;

  @Test
  void buysThroughNginxWhileOneInstanceIsKilled() throws Exception {
    dbUrl = requiredPostgres();
    Path nginxBin = requiredNginx();
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    prefix = "shopcl_" + suffix + "_";
    String table = prefix + "order";
    String saleId = "cl-" + suffix;
    Path root = TestDirs.fresh("cluster");

    // The shops: same sale, same token secret, own data directory and node name.
    byte[] secret = new byte[32];
    ThreadLocalRandom.current().nextBytes(secret);
    String tokenSecret = Base64.getEncoder().encodeToString(secret);
    int[] ports = new int[NODES];
    for (int i = 0; i < NODES; i++) {
      ports[i] = freePort();
      Path dir = Files.createDirectories(root.resolve("shop-" + (i + 1)));
      logs.add(dir.resolve("shop.log"));
      shops.add(startShop(i + 1, ports[i], dir, table, saleId, tokenSecret));
    }
    for (int i = 0; i < NODES; i++) {
      awaitUp(i);
    }

    // nginx, from the example's template.
    int nginxPort = freePort();
    nginxDir = Files.createDirectories(root.resolve("nginx"));
    Files.createDirectories(nginxDir.resolve("tmp"));
    StringBuilder servers = new StringBuilder();
    for (int port : ports) {
      servers.append("    server 127.0.0.1:").append(port).append(" max_fails=1 fail_timeout=5s;\n");
    }
    String conf = Files.readString(Path.of("..", "cluster", "nginx.conf.template"), UTF_8)
        .replace("@RUN@", nginxDir.toString())
        .replace("@LISTEN@", Integer.toString(nginxPort))
        .replace("@SERVERS@\n", servers.toString());
    Path confFile = nginxDir.resolve("nginx.conf");
    Files.writeString(confFile, conf, UTF_8);
    nginx = new ProcessBuilder(nginxBin.toString(), "-c", confFile.toString(), "-p",
        nginxDir.toString(), "-e", nginxDir.resolve("nginx-error.log").toString(),
        "-g", "daemon off;")
        .redirectErrorStream(true)
        .redirectOutput(nginxDir.resolve("nginx.out").toFile())
        .start();
    awaitPort(nginxPort, nginx, nginxDir.resolve("nginx-error.log"));

    Buyers buyers = new Buyers("http://127.0.0.1:" + nginxPort, saleId);
    Map<String, String> nodeBefore = buyers.probe(USERS);
    assertThat(nodeBefore.values()).as("users spread over every instance")
        .containsAll(List.of("shop-1", "shop-2", "shop-3"));

    ExecutorService pool = Executors.newFixedThreadPool(BUYERS);
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < BUYERS; t++) {
      running.add(pool.submit(() -> {
        buyers.run();
        return null;
      }));
    }
    // Kill one instance once a third of the stock is confirmed.
    int victim = 1; // shop-2
    long waitUntil = System.nanoTime() + SALE_DEADLINE.toNanos();
    while (buyers.confirmed.size() < STOCK / 3 && !buyers.done.get()
        && System.nanoTime() < waitUntil) {
      buyers.progress.await();
    }
    assertThat(buyers.confirmed.size()).as("confirmed before the kill").isGreaterThanOrEqualTo(STOCK / 3);
    assertThat(buyers.done.get()).as("still selling when the instance is killed").isFalse();
    buyers.killing.set(true); // from now on a buyer's connection may drop mid-answer
    shops.get(victim).destroyForcibly(); // SIGKILL
    assertThat(shops.get(victim).waitFor(30, TimeUnit.SECONDS)).isTrue();
    buyers.killed.set(true);
    int confirmedAtKill = buyers.confirmed.size();

    pool.shutdown();
    boolean finished = pool.awaitTermination(SALE_DEADLINE.toSeconds(), TimeUnit.SECONDS);
    buyers.done.set(true);
    pool.shutdownNow();
    for (Future<?> f : running) {
      if (finished) {
        f.get();
      }
    }
    // What the buyers were answered (status, reason or serving instance), in the test's output.
    System.out.printf("ShopClusterTest: %d confirmed at the kill, %d in all; answers %s%n",
        confirmedAtKill, buyers.confirmed.size(), new TreeMap<>(buyers.answers));
    assertThat(finished).as("the sale sold out within %s (answers: %s)", SALE_DEADLINE,
        buyers.answers).isTrue();
    assertThat(buyers.soldOut.get()).as("a buyer was answered SOLD_OUT (answers: %s)",
        buyers.answers).isTrue();
    assertThat(buyers.confirmed.size()).as("confirmed after the kill")
        .isGreaterThan(confirmedAtKill);

    // Consistent hashing: the survivors keep their users, the dead one's users move.
    Map<String, String> nodeAfter = buyers.probe(USERS);
    String dead = "shop-" + (victim + 1);
    for (Map.Entry<String, String> e : nodeBefore.entrySet()) {
      String now = nodeAfter.get(e.getKey());
      if (e.getValue().equals(dead)) {
        assertThat(now).as("user %s of the dead instance", e.getKey()).isNotEqualTo(dead);
      } else {
        assertThat(now).as("user %s of a surviving instance", e.getKey()).isEqualTo(e.getValue());
      }
    }

    // The database.
    Map<Long, String> stored = new HashMap<>();
    Map<String, Integer> perUser = new HashMap<>();
    long sold = 0;
    try (Connection c = DriverManager.getConnection(dbUrl);
        PreparedStatement ps = c.prepareStatement("SELECT order_id, user_id, quantity FROM "
            + table + " WHERE sale_id = ?")) {
      ps.setString(1, saleId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          assertThat(stored.put(rs.getLong(1), rs.getString(2)))
              .as("order %d stored once", rs.getLong(1)).isNull();
          perUser.merge(rs.getString(2), rs.getInt(3), Integer::sum);
          sold += rs.getInt(3);
        }
      }
    }
    assertThat(sold).as("units sold").isLessThanOrEqualTo(STOCK);
    // The coordinator's books (seckill-jdbc-adapter's schema): stock conserved, and every unit
    // the leases count as used is an order in the table.
    try (Connection c = DriverManager.getConnection(dbUrl);
        PreparedStatement ps = c.prepareStatement("SELECT (SELECT free FROM " + prefix
            + "pool WHERE sale_id = ?), (SELECT COALESCE(SUM(CASE WHEN state = 'ACTIVE' THEN"
            + " granted ELSE used END), 0) FROM " + prefix + "lease WHERE sale_id = ?),"
            + " (SELECT COALESCE(SUM(used), 0) FROM " + prefix + "lease WHERE sale_id = ?),"
            + " (SELECT released FROM " + prefix + "pool WHERE sale_id = ?)")) {
      for (int i = 1; i <= 4; i++) {
        ps.setString(i, saleId);
      }
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1) + rs.getLong(2)).as("pool free + leases == stock + released")
            .isEqualTo(STOCK + rs.getLong(4));
        assertThat(rs.getLong(3)).as("units the leases count as used").isEqualTo(sold);
      }
    }
    assertThat(perUser.values()).as("units per user").allSatisfy(u -> assertThat(u).isEqualTo(1));
    for (Map.Entry<Long, String> ack : buyers.confirmed.entrySet()) {
      assertThat(stored.get(ack.getKey())).as("confirmed order %d in the table", ack.getKey())
          .isEqualTo(ack.getValue());
    }
    assertThat(buyers.limitReached).as("users refused LIMIT_REACHED bought, once")
        .allSatisfy(u -> assertThat(perUser.get(u)).isEqualTo(1));
    assertThat(sold).as("sold == stock once the dead instance's lease was reaped (answers: %s)",
        buyers.answers).isEqualTo(STOCK);
  }

  /** Buyers: each takes the next user and buys for her until a final answer. */
  final class Buyers {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    final ObjectMapper json = new ObjectMapper();
    final String base;
    final String saleId;
    final AtomicInteger nextUser = new AtomicInteger();
    final AtomicBoolean done = new AtomicBoolean();
    final AtomicBoolean soldOut = new AtomicBoolean();
    final AtomicBoolean killed = new AtomicBoolean();
    final AtomicBoolean killing = new AtomicBoolean();
    /** Order id to user, for every 201. */
    final Map<Long, String> confirmed = new ConcurrentHashMap<>();
    /**
     * Users answered LIMIT_REACHED: each bought already, in an order she was not told about (her
     * POST reached an instance that stored the order and was killed before it answered: nginx
     * answered 502, and the cluster's per-user limit refused her retry on another instance).
     */
    final Set<String> limitReached = ConcurrentHashMap.newKeySet();
    /** Answers seen, "status reason", with counts: the failure message. */
    final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    final Progress progress = new Progress();

    Buyers(String base, String saleId) {
      this.base = base;
      this.saleId = saleId;
    }

    /** Which instance answers each of the first {@code users} users (GET, so nginx retries). */
    Map<String, String> probe(int users) throws Exception {
      Map<String, String> node = new TreeMap<>();
      for (int u = 0; u < users; u++) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(
            URI.create(base + "/api/sales/" + saleId)).header("X-User", user(u)).GET());
        assertThat(r.statusCode()).as("GET sale for %s: %s", user(u), r.body()).isEqualTo(200);
        node.put(user(u), r.headers().firstValue(NodeHeader.HEADER).orElseThrow());
        assertThat(json.readTree(r.body()).get("node").asText())
            .isEqualTo(node.get(user(u)));
      }
      return node;
    }

    void run() throws Exception {
      while (!done.get()) {
        int u = nextUser.getAndIncrement();
        if (u >= USERS) {
          return;
        }
        buy(user(u));
      }
    }

    private void buy(String user) throws Exception {
      while (!done.get()) {
        HttpResponse<String> t = send(HttpRequest.newBuilder(
            URI.create(base + "/api/sales/" + saleId + "/token")).header("X-User", user)
            .POST(HttpRequest.BodyPublishers.noBody()));
        if (t == null) {
          continue; // the connection dropped with the killed instance: try again
        }
        if (t.statusCode() != 200) {
          if (!retryable(t, user)) {
            return;
          }
          continue;
        }
        String token = json.readTree(t.body()).get("token").asText();
        HttpResponse<String> r = send(HttpRequest.newBuilder(
            URI.create(base + "/api/sales/" + saleId + "/orders")).header("X-User", user)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                json.writeValueAsString(Map.of("token", token, "quantity", 1)))));
        if (r == null) {
          continue; // no answer (the instance died mid-answer); her order may be stored: a
                    // retry then ends LIMIT_REACHED, which the checks below accept
        }
        if (r.statusCode() == 201) {
          JsonNode body = json.readTree(r.body());
          assertThat(body.get("userId").asText()).isEqualTo(user);
          assertThat(confirmed.put(body.get("orderId").asLong(), user))
              .as("order id %s confirmed twice", body.get("orderId")).isNull();
          count("201 " + r.headers().firstValue(NodeHeader.HEADER).orElse("?")
              + (killed.get() ? " after kill" : ""));
          progress.signal();
          return;
        }
        if (!retryable(r, user)) {
          return;
        }
      }
    }

    /**
     * Counts the answer; true if the buyer should try again (the instance or nginx is briefly
     * unable: 5xx, 429, a stale token), false if the answer is final for her (she bought her
     * limit, or the sale sold out, which ends every buyer). Anything else fails the test.
     */
    private boolean retryable(HttpResponse<String> r, String user) throws IOException {
      String reason = reason(r);
      count(r.statusCode() + " " + reason);
      switch (r.statusCode()) {
        case 409 -> {
          if (reason.equals("SOLD_OUT")) {
            soldOut.set(true);
            done.set(true);
            progress.signal();
            return false;
          }
          assertThat(reason).as("409 %s", r.body()).isEqualTo("LIMIT_REACHED");
          limitReached.add(user);
          return false;
        }
        case 400 -> {
          assertThat(reason).as("400 %s", r.body()).isEqualTo("BAD_TOKEN");
          return true;
        }
        case 429, 502, 503, 504 -> {
          // Client pacing, as a page honouring Retry-After would (shorter, to keep the test
          // quick); not synchronisation: the loop's exit is the shop's own answer.
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
          return true;
        }
        default -> {
          fail("unexpected answer " + r.statusCode() + ": " + r.body());
          return false;
        }
      }
    }

    private String reason(HttpResponse<String> r) {
      try {
        JsonNode n = json.readTree(r.body());
        return n.hasNonNull("reason") ? n.get("reason").asText() : "-";
      } catch (IOException notJson) { // nginx's own 502/504 page
        return "(nginx)";
      }
    }

    private void count(String answer) {
      answers.computeIfAbsent(answer, k -> new AtomicInteger()).incrementAndGet();
    }

    /**
     * Sends; null if the connection broke once the kill began (nginx relays an answer the killed
     * instance was sending and cuts it when the instance dies: "their HTTP connections drop",
     * docs/cluster.md). Before the kill a broken connection fails the test.
     */
    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
      try {
        return http.send(b.timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        if (!killing.get()) {
          throw e;
        }
        count("connection dropped (" + e.getClass().getSimpleName() + ")");
        return null;
      }
    }

    private String user(int u) {
      return "buyer-" + u;
    }
  }

  /** Wakes the test's thread when a buyer makes progress. */
  static final class Progress {
    private final Object lock = new Object();
    private long events;

    void signal() {
      synchronized (lock) {
        events++;
        lock.notifyAll();
      }
    }

    /** Waits for the next progress signal, at most a second (the caller re-checks its goal). */
    void await() throws InterruptedException {
      synchronized (lock) {
        long seen = events;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (events == seen && System.nanoTime() < until) {
          TimeUnit.NANOSECONDS.timedWait(lock, until - System.nanoTime());
        }
      }
    }
  }

  private Process startShop(int node, int port, Path dir, String table, String saleId,
      String tokenSecret) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.")) {
        cmd.add(arg); // the Chronicle Map flags surefire/failsafe run this JVM with
      }
    }
    cmd.addAll(List.of("-Xmx256m", "-XX:ActiveProcessorCount=1", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), ShopApplication.class.getName(),
        "--spring.profiles.active=postgres,cluster",
        "--server.address=127.0.0.1", "--server.port=" + port,
        "--spring.datasource.url=" + dbUrl,
        "--spring.datasource.username=", "--spring.datasource.password=",
        "--spring.datasource.hikari.maximum-pool-size=4",
        "--shop.data-dir=" + dir.resolve("data"), "--shop.node-name=shop-" + node,
        "--shop.table=" + table,
        "--seckill.cluster.table-prefix=" + prefix,
        "--seckill.cluster.lease-ttl=1500ms", "--seckill.cluster.reap-grace=1s",
        "--seckill.cluster.initial-chunk=10",
        "--seckill.development-defaults=true", "--seckill.max-users-per-shard=10000",
        "--seckill.prefault-files=false",
        "--seckill.flush.max-delay=5ms",
        "--seckill.admission.token-secret=" + tokenSecret,
        "--seckill.admission.user-attempts=1000000",
        "--shop.sale.id=" + saleId, "--shop.sale.stock=" + STOCK,
        "--shop.sale.limit-per-user=1",
        "--shop.sale.starts-at=2020-01-01T00:00:00Z", "--shop.sale.ends-at=2100-01-01T00:00:00Z",
        "--management.endpoints.web.exposure.include=health",
        "--logging.level.root=warn", "--logging.level.dev.seckill=info"));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("shop.log").toFile()).start();
  }

  private void awaitUp(int i) throws Exception {
    Process p = shops.get(i);
    long until = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < until) {
      if (!p.isAlive()) {
        fail("shop-" + (i + 1) + " exited with " + p.exitValue() + ":\n" + tail(logs.get(i)));
      }
      if (Files.exists(logs.get(i)) && Files.readString(logs.get(i), UTF_8)
          .contains("Started ShopApplication")) {
        return;
      }
      p.waitFor(200, TimeUnit.MILLISECONDS); // returns early if it exits
    }
    fail("shop-" + (i + 1) + " did not start within " + STARTUP + ":\n" + tail(logs.get(i)));
  }

  private static void awaitPort(int port, Process p, Path log) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      if (!p.isAlive()) {
        fail("nginx exited with " + p.exitValue() + ":\n" + tail(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        p.waitFor(100, TimeUnit.MILLISECONDS);
      }
    }
    fail("nginx did not listen on " + port + ":\n" + tail(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, UTF_8);
      return lines.subList(Math.max(0, lines.size() - 60), lines.size()).stream()
          .collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (nginx != null) {
      nginx.destroy(); // SIGTERM: nginx's fast shutdown
      nginx.waitFor(30, TimeUnit.SECONDS);
      nginx.destroyForcibly();
    }
    for (Process p : shops) {
      p.destroy(); // SIGTERM: Spring's graceful shutdown closes the engine
    }
    for (int i = 0; i < shops.size(); i++) {
      Process p = shops.get(i);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    if (dbUrl != null && prefix != null) {
      try (Connection c = DriverManager.getConnection(dbUrl); Statement s = c.createStatement()) {
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables"
            + " WHERE table_schema = current_schema() AND table_name LIKE '" + prefix + "%'")) {
          while (rs.next()) {
            tables.add(rs.getString(1));
          }
        }
        for (String t : tables) {
          s.execute("DROP TABLE IF EXISTS " + t + " CASCADE");
        }
        s.execute("DROP SEQUENCE IF EXISTS " + prefix + "node_seq");
      }
    }
  }

  private static String requiredPostgres() {
    String url = System.getenv("SECKILL_IT_POSTGRES_URL");
    if (url == null || url.isBlank()) {
      skipOrFail("set SECKILL_IT_POSTGRES_URL (e.g. jdbc:postgresql://127.0.0.1:5432/test"
          + "?user=postgres) to run three shop instances in cluster mode");
    }
    return url;
  }

  private static Path requiredNginx() {
    for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "nginx");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    skipOrFail("nginx is not installed (Debian: apt-get install -y nginx); the cluster test puts"
        + " it in front of the three shop instances");
    throw new AssertionError("unreachable");
  }

  private static void skipOrFail(String message) {
    if ("true".equalsIgnoreCase(System.getenv("SECKILL_IT_REQUIRED"))) {
      fail(message + "; SECKILL_IT_REQUIRED=true, so this fails instead of skipping");
    }
    Assumptions.abort("skipped: " + message);
  }
}
