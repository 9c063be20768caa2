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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The JSON API through a whole sale, on a moved clock: 425 before the start, 201 then 409 during,
 * 410 after the end; the order read back from the database; the cache headers a CDN needs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "shop.sale.id=api-sale",
    "shop.sale.stock=3",
    "shop.sale.limit-per-user=1",
    "shop.sale.starts-in=1h",
    "shop.sale.duration=10m",
})
@Import(TestClockConfig.class)
@DirtiesContext
class ShopApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @DynamicPropertySource
  static void dataDir(DynamicPropertyRegistry registry) {
    registry.add("shop.data-dir", () -> TestDirs.fresh("api").toString());
  }

  @LocalServerPort
  int port;
  @Autowired
  TestClock clock;
  @Autowired
  SeckillEngine engine;
  @Autowired
  JdbcTemplate jdbc;

  private final HttpClient http = HttpClient.newHttpClient();

  /** Each test starts an hour before the sale, whatever the previous one did to the clock. */
  @BeforeEach
  void beforeTheSale() {
    clock.set(startsAt().minus(Duration.ofHours(1)));
  }

  @Test
  void withoutANodeNameNeitherHeaderNorFieldNamesTheInstance() throws Exception {
    HttpResponse<String> r = get("/api/sales/api-sale", null);
    assertThat(r.headers().firstValue(NodeHeader.HEADER)).isEmpty();
    assertThat(json(r).has("node")).isFalse();
  }

  @Test
  void aWholeSaleThroughTheApi() throws Exception {
    JsonNode view = json(get("/api/sales/api-sale", null));
    assertThat(view.get("phase").asText()).isEqualTo("UPCOMING");
    assertThat(view.get("remaining").asLong()).isEqualTo(3);
    assertThat(view.get("tokenRequired").asBoolean()).isTrue();
    Instant startsAt = Instant.parse(view.get("startsAt").asText());
    Instant endsAt = Instant.parse(view.get("endsAt").asText());
    assertThat(Duration.ofMillis(startsAt.toEpochMilli() - view.get("serverTimeMillis").asLong()))
        .isPositive();

    // Before the start: no token, and an order without one is "too early", not "bad token".
    HttpResponse<String> early = post("/api/sales/api-sale/token", "alice", null);
    assertThat(early.statusCode()).isEqualTo(425);
    assertThat(json(early).get("reason").asText()).isEqualTo("NOT_STARTED");
    assertThat(post("/api/sales/api-sale/orders", "alice", "{}").statusCode()).isEqualTo(425);

    clock.set(startsAt);
    assertThat(json(get("/api/sales/api-sale", null)).get("phase").asText()).isEqualTo("ON_SALE");

    String token = token("alice");
    HttpResponse<String> bought = order("alice", token);
    assertThat(bought.statusCode()).isEqualTo(201);
    long orderId = json(bought).get("orderId").asLong();
    assertThat(bought.headers().firstValue("Location")).hasValue("/api/orders/" + orderId);
    assertThat(bought.headers().firstValue("Cache-Control")).hasValue("no-store");

    HttpResponse<String> again = order("alice", token);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(json(again).get("reason").asText()).isEqualTo("LIMIT_REACHED");

    // A token is bound to its user.
    HttpResponse<String> stolen = order("mallory", token);
    assertThat(stolen.statusCode()).isEqualTo(400);
    assertThat(json(stolen).get("reason").asText()).isEqualTo("BAD_TOKEN");

    // The order, from the database, for its owner only.
    engine.flush().join();
    HttpResponse<String> stored = get("/api/orders/" + orderId, "alice");
    assertThat(stored.statusCode()).isEqualTo(200);
    assertThat(json(stored).get("userId").asText()).isEqualTo("alice");
    assertThat(json(stored).get("saleId").asText()).isEqualTo("api-sale");
    assertThat(get("/api/orders/" + orderId, "bob").statusCode()).isEqualTo(404);
    assertThat(get("/api/orders/999999", "alice").statusCode()).isEqualTo(404);

    clock.set(endsAt);
    HttpResponse<String> late = order("bob", "whatever");
    assertThat(late.statusCode()).isEqualTo(410);
    assertThat(json(late).get("reason").asText()).isEqualTo("ENDED");
    assertThat(post("/api/sales/api-sale/token", "bob", null).statusCode()).isEqualTo(410);
  }

  @Test
  void badInputIsA400WithAReason() throws Exception {
    HttpResponse<String> noUser = post("/api/sales/api-sale/token", null, null);
    assertThat(noUser.statusCode()).isEqualTo(400);
    assertThat(json(noUser).get("reason").asText()).isEqualTo("MISSING_USER");

    HttpResponse<String> garbage = post("/api/sales/api-sale/orders", "alice", "not json");
    assertShopError(garbage, 400, "MALFORMED_BODY");
    HttpResponse<String> noBody = post("/api/sales/api-sale/orders", "alice", null);
    assertShopError(noBody, 400, "MALFORMED_BODY");

    HttpResponse<String> form = send("POST", "/api/sales/api-sale/orders", "alice",
        "application/x-www-form-urlencoded", "token=x");
    assertShopError(form, 415, "NOT_JSON");

    HttpResponse<String> unknown = get("/api/sales/no-such-sale", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).get("reason").asText()).isEqualTo("UNKNOWN_SALE");
  }

  @Test
  void springsOwnErrorsComeInTheShopsShape() throws Exception {
    // A path variable that is not a number: the parameter and the value are named.
    HttpResponse<String> notANumber = get("/api/orders/abc", "alice");
    assertShopError(notANumber, 400, "BAD_PARAMETER");
    assertThat(json(notANumber).get("message").asText())
        .isEqualTo("orderId must be a number, was \"abc\"");

    // Unknown paths under /api/, whatever the method (not the static resources' 405).
    assertShopError(get("/api/nothing-here", null), 404, "NOT_FOUND");
    assertShopError(post("/api/sales/api-sale/nothing-here", "alice", "{}"), 404, "NOT_FOUND");
    assertShopError(send("DELETE", "/api", null, null, null), 404, "NOT_FOUND");

    // A known path, the wrong method: 405 with Allow.
    HttpResponse<String> getOrders = get("/api/sales/api-sale/orders", "alice");
    assertShopError(getOrders, 405, "METHOD_NOT_ALLOWED");
    assertThat(getOrders.headers().firstValue("Allow")).hasValue("POST");
    HttpResponse<String> deleteSale = send("DELETE", "/api/sales/api-sale", "alice", null, null);
    assertShopError(deleteSale, 405, "METHOD_NOT_ALLOWED");
    assertThat(deleteSale.headers().firstValue("Allow").orElseThrow()).contains("GET");

    // An Accept the API cannot satisfy: still told why, in JSON.
    HttpResponse<String> html = http.send(HttpRequest.newBuilder(uri("/api/sales"))
        .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertShopError(html, 406, "NOT_ACCEPTABLE");

    // Outside /api/ Spring's own error handling answers, as before.
    HttpResponse<String> page = get("/no-such-page.html", null);
    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(page.body()).doesNotContain("\"reason\"");
  }

  @Test
  void invalidRequestNamesTheFieldAndTheValue() throws Exception {
    // The sale's maxPerRequest defaults to its limit per user, 1.
    HttpResponse<String> two = post("/api/sales/api-sale/orders", "dave",
        "{\"token\":\"x\",\"quantity\":2}");
    assertThat(two.statusCode()).isEqualTo(400);
    assertThat(json(two).get("reason").asText()).isEqualTo("INVALID_REQUEST");
    assertThat(json(two).get("message").asText())
        .isEqualTo("quantity must be at most the maxPerRequest of sale 'api-sale' (1), was 2");

    HttpResponse<String> zero = post("/api/sales/api-sale/orders", "dave",
        "{\"token\":\"x\",\"quantity\":0}");
    assertThat(zero.statusCode()).isEqualTo(400);
    assertThat(json(zero).get("message").asText()).isEqualTo("quantity must be at least 1, was 0");

    HttpResponse<String> longUser = post("/api/sales/api-sale/token", "u".repeat(300), null);
    assertThat(longUser.statusCode()).isEqualTo(400);
    assertThat(json(longUser).get("reason").asText()).isEqualTo("INVALID_REQUEST");
    assertThat(json(longUser).get("message").asText())
        .isEqualTo("userId must be at most 256 characters, was 300");
  }

  @Test
  void tooEarlySaysWhenToComeBack() throws Exception {
    // 90.5 s before the start: Retry-After is the wait rounded up, 91 (90 if this thread stalls).
    clock.set(startsAt().minusMillis(90_500));
    for (String path : new String[] {"/api/sales/api-sale/token", "/api/sales/api-sale/orders"}) {
      HttpResponse<String> early = post(path, "erin", path.endsWith("orders") ? "{}" : null);
      assertThat(early.statusCode()).as(path).isEqualTo(425);
      assertThat(json(early).get("reason").asText()).as(path).isEqualTo("NOT_STARTED");
      int retryAfter = Integer.parseInt(early.headers().firstValue("Retry-After").orElseThrow());
      assertThat(retryAfter).as(path).isBetween(90, 91);
      assertThat(json(early).get("retryAfterSeconds").asInt()).as(path).isEqualTo(retryAfter);
    }

    // A moment before the start the wait is still at least a second.
    clock.set(startsAt().minusMillis(10));
    HttpResponse<String> almost = post("/api/sales/api-sale/token", "erin", null);
    if (almost.statusCode() == 425) {
      assertThat(almost.headers().firstValue("Retry-After")).hasValue("1");
    }
  }

  @Test
  void aReturningBuyerIsToldSheAlreadyBought() throws Exception {
    JsonNode before = json(get("/api/sales/api-sale/me", "frank"));
    assertThat(before.get("unitsBought").asInt()).isZero();
    assertThat(before.get("limitPerUser").asInt()).isEqualTo(1);
    assertThat(before.get("limitReached").asBoolean()).isFalse();

    clock.set(startsAt());
    assertThat(order("frank", token("frank")).statusCode()).isEqualTo(201);
    // At once, before the order reaches the database.
    HttpResponse<String> after = get("/api/sales/api-sale/me", "frank");
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(json(after).get("userId").asText()).isEqualTo("frank");
    assertThat(json(after).get("unitsBought").asInt()).isEqualTo(1);
    assertThat(json(after).get("limitReached").asBoolean()).isTrue();

    // An order from before a restart is only in the database: found there.
    jdbc.update("INSERT INTO seckill_order (order_id, sale_id, user_id, quantity, confirmed_at)"
        + " VALUES (?, ?, ?, ?, ?)", 1_000_000L, "api-sale", "grace", 1,
        OffsetDateTime.parse("2026-01-01T00:00:00Z"));
    assertThat(json(get("/api/sales/api-sale/me", "grace")).get("limitReached").asBoolean())
        .isTrue();

    assertShopError(get("/api/sales/api-sale/me", null), 400, "MISSING_USER");
    assertThat(get("/api/sales/no-such-sale/me", "frank").statusCode()).isEqualTo(404);
  }

  @Test
  void cacheHeadersSuitACdn() throws Exception {
    HttpResponse<String> page = get("/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("/assets/seckill-v3.js", "/assets/shop-v2.css");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("max-age=10, public");

    for (String asset : new String[] {"/assets/seckill-v3.js", "/assets/shop-v2.css"}) {
      HttpResponse<String> r = get(asset, null);
      assertThat(r.statusCode()).as(asset).isEqualTo(200);
      assertThat(r.headers().firstValue("Cache-Control")).as(asset)
          .hasValue("max-age=31536000, public, immutable");
    }
    assertThat(get("/api/sales", null).headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  /** An error in the shop's shape: status, {@code "status":"ERROR"}, the reason, a message. */
  private static void assertShopError(HttpResponse<String> r, int status, String reason)
      throws IOException {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    JsonNode body = json(r);
    assertThat(body.get("status").asText()).as(r.body()).isEqualTo("ERROR");
    assertThat(body.get("reason").asText()).as(r.body()).isEqualTo(reason);
    assertThat(body.get("message").asText()).as(r.body()).isNotBlank();
    assertThat(body.get("retryAfterSeconds").asInt()).isZero();
  }

  private Instant startsAt() {
    return engine.saleView("api-sale").startsAt();
  }

  private String token(String user) throws IOException, InterruptedException {
    HttpResponse<String> r = post("/api/sales/api-sale/token", user, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).get("token").asText();
  }

  private HttpResponse<String> order(String user, String token)
      throws IOException, InterruptedException {
    return post("/api/sales/api-sale/orders", user, "{\"token\":\"" + token + "\",\"quantity\":1}");
  }

  private HttpResponse<String> get(String path, String user)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
    if (user != null) {
      b.header("X-User", user);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String user, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
        .POST(body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (user != null) {
      b.header("X-User", user);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(String method, String path, String user, String contentType,
      String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).method(method,
        body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (user != null) {
      b.header("X-User", user);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }
}
