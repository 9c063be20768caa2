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

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seckill.SeckillEngine;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A flash sale over HTTP on loopback: 1,000 units, 5,000 users, 20,000 requests (each user asks
 * for a token, then tries to order three times; every 50th user first tries a forged token). The
 * database must then hold exactly 1,000 orders, nobody above the limit of 2, and every answer
 * must be one of the documented statuses. Bounded in count, and in time by a generous deadline
 * (a hang fails instead of blocking the build); no timing assertions.
 */
@Tag("slow")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "shop.sale.id=load-sale",
    "shop.sale.stock=" + ShopLoadTest.STOCK,
    "shop.sale.limit-per-user=" + ShopLoadTest.LIMIT,
    "shop.sale.starts-at=2020-01-01T00:00:00Z",
    "shop.sale.ends-at=2100-01-01T00:00:00Z",
    // Every simulated user comes from 127.0.0.1: only the per-user throttle applies.
    "shop.admission.client-address=false",
    "server.tomcat.threads.max=64",
    "logging.level.root=warn",
})
@DirtiesContext
class ShopLoadTest {
  static final int STOCK = 1_000;
  static final int LIMIT = 2;
  private static final int USERS = 5_000;
  private static final int ORDERS_PER_USER = 3;
  private static final int CLIENT_THREADS = 32;
  private static final Duration DEADLINE = Duration.ofMinutes(2);

  /** Statuses the README documents for these endpoints. */
  private static final Set<Integer> TOKEN_STATUSES = Set.of(200, 400, 409, 429);
  private static final Set<Integer> ORDER_STATUSES = Set.of(201, 400, 409, 429);

  @DynamicPropertySource
  static void dataDir(DynamicPropertyRegistry registry) {
    registry.add("shop.data-dir", () -> TestDirs.fresh("load").toString());
  }

  @LocalServerPort
  int port;
  @Autowired
  SeckillEngine engine;
  @Autowired
  JdbcTemplate jdbc;

  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Long> confirmedIds = new ConcurrentLinkedQueue<>();
  private final AtomicInteger requests = new AtomicInteger();

  @Test
  void exactlyTheStockIsSoldAndStored() throws Exception {
    List<String> users = new ArrayList<>(USERS);
    for (int i = 0; i < USERS; i++) {
      users.add("user-" + i);
    }
    Collections.shuffle(users, new Random(42));

    HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
    AtomicInteger next = new AtomicInteger();
    long started = System.nanoTime();
    for (int t = 0; t < CLIENT_THREADS; t++) {
      pool.execute(() -> {
        for (int i = next.getAndIncrement(); i < USERS; i = next.getAndIncrement()) {
          shop(http, users.get(i), i % 50 == 0);
        }
      });
    }
    pool.shutdown();
    boolean finished = pool.awaitTermination(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - started) / 1e9;
    if (!finished) {
      pool.shutdownNow();
    }
    assertThat(finished).as("the load finished within %s", DEADLINE).isTrue();
    assertThat(unexpected).as("answers outside the documented statuses").isEmpty();
    assertThat(requests.get()).isGreaterThanOrEqualTo(20_000);

    // Every confirmed order reaches the database: wait for the sink, then count there.
    engine.flush().join();
    long rows = jdbc.queryForObject(
        "SELECT COUNT(*) FROM seckill_order WHERE sale_id = 'load-sale'", Long.class);
    long units = jdbc.queryForObject(
        "SELECT COALESCE(SUM(quantity), 0) FROM seckill_order WHERE sale_id = 'load-sale'", Long.class);
    List<Map<String, Object>> overLimit = jdbc.queryForList(
        "SELECT user_id, SUM(quantity) AS units FROM seckill_order WHERE sale_id = 'load-sale'"
            + " GROUP BY user_id HAVING SUM(quantity) > " + LIMIT);
    long buyers = jdbc.queryForObject(
        "SELECT COUNT(DISTINCT user_id) FROM seckill_order WHERE sale_id = 'load-sale'", Long.class);
    Long summaryUnits = jdbc.queryForObject(
        "SELECT units_sold FROM seckill_sale_summary WHERE sale_id = 'load-sale'", Long.class);
    List<Long> storedIds = jdbc.queryForList(
        "SELECT order_id FROM seckill_order WHERE sale_id = 'load-sale'", Long.class);

    String report = String.format(Locale.ROOT,
        "load test: %,d requests from %,d users in %.2f s = %,.0f requests/s (%d client threads,"
            + " loopback)%n  outcomes: %s%n  database: %,d orders, %,d units, %,d buyers,"
            + " summary units_sold %d, users above the limit of %d: %d%n",
        requests.get(), USERS, seconds, requests.get() / seconds, CLIENT_THREADS,
        new TreeMap<>(outcomes), rows, units, buyers, summaryUnits, LIMIT, overLimit.size());
    System.out.print(report);
    Files.writeString(Path.of("target", "load-test-report.txt"), report, StandardCharsets.UTF_8);

    assertThat(outcomes.getOrDefault("orders 201 CONFIRMED", new LongAdder()).sum()).isEqualTo(STOCK);
    assertThat(rows).isEqualTo(STOCK);
    assertThat(units).isEqualTo(STOCK);
    assertThat(summaryUnits).isEqualTo(STOCK);
    assertThat(overLimit).isEmpty();
    assertThat(storedIds).containsExactlyInAnyOrderElementsOf(confirmedIds);
    assertThat(engine.snapshot("load-sale").remaining()).isZero();
  }

  /** One user: a token, then the order attempts (sent even when refused a token). */
  private void shop(HttpClient http, String user, boolean forgeFirst) {
    JsonNode grant = send(http, "token", TOKEN_STATUSES,
        request("/api/sales/load-sale/token", user, HttpRequest.BodyPublishers.noBody()));
    String token = grant != null && grant.has("token") ? grant.get("token").asText() : null;
    for (int attempt = 0; attempt < ORDERS_PER_USER; attempt++) {
      String sent = forgeFirst && attempt == 0 ? "1.forged.token" : token;
      String body = sent == null ? "{\"quantity\":1}" : "{\"token\":\"" + sent + "\",\"quantity\":1}";
      JsonNode r = send(http, "orders", ORDER_STATUSES, request("/api/sales/load-sale/orders", user,
          HttpRequest.BodyPublishers.ofString(body)));
      if (r != null && "CONFIRMED".equals(r.path("status").asText())) {
        confirmedIds.add(r.get("orderId").asLong());
      }
    }
  }

  private HttpRequest request(String path, String user, HttpRequest.BodyPublisher body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .header("X-User", user)
        .header("Content-Type", "application/json")
        .POST(body)
        .build();
  }

  private JsonNode send(HttpClient http, String what, Set<Integer> allowed, HttpRequest request) {
    requests.incrementAndGet();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body = json.readTree(r.body());
      String reason = body.has("reason") ? body.get("reason").asText()
          : body.has("token") ? "GRANTED" : body.path("status").asText();
      outcomes.computeIfAbsent(what + " " + r.statusCode() + " " + reason, k -> new LongAdder())
          .increment();
      if (!allowed.contains(r.statusCode())) {
        unexpected.add(what + " " + r.statusCode() + " " + r.body());
      }
      return body;
    } catch (IOException e) {
      unexpected.add(what + " failed: " + e);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      unexpected.add(what + " interrupted");
      return null;
    }
  }
}
