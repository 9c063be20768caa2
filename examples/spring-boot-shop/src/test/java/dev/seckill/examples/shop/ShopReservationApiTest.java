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
import dev.seckill.SaleSnapshot;
import dev.seckill.SeckillEngine;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Reservations through the JSON API, on a moved clock: a purchase answers RESERVED with its
 * pay-by instant; paying twice is one payment; with every unit held the next buyer hears
 * {@code ALL_HELD} (409); a cancel puts the unit back at once; a payment after the
 * deadline answers 409 {@code TOO_LATE} with {@code refunded} and the unit sells again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "shop.sale.id=resv-api",
    "shop.sale.stock=1",
    "shop.sale.limit-per-user=1",
    "shop.sale.starts-in=1h",
    "shop.sale.duration=1h",
    "shop.sale.pay-within=2m",
    "shop.sale.require-token=false",
})
@Import(TestClockConfig.class)
@DirtiesContext
class ShopReservationApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @DynamicPropertySource
  static void dataDir(DynamicPropertyRegistry registry) {
    registry.add("shop.data-dir", () -> TestDirs.fresh("resv-api").toString());
  }

  @LocalServerPort
  int port;
  @Autowired
  TestClock clock;
  @Autowired
  SeckillEngine engine;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void reserveThenPayCancelOrPayTooLate() throws Exception {
    Instant start = engine.saleView("resv-api").startsAt();
    clock.set(start.plusSeconds(1));

    // Alice reserves the only unit: RESERVED, pay by about two minutes from now.
    Instant before = clock.instant();
    HttpResponse<String> alice = order("alice");
    assertThat(alice.statusCode()).as(alice.body()).isEqualTo(201);
    JsonNode a = json(alice);
    long aliceOrder = a.get("orderId").asLong();
    assertThat(a.get("state").asText()).isEqualTo("RESERVED");
    Instant payBy = Instant.parse(a.get("payBy").asText());
    assertThat(payBy).isBetween(before.plus(Duration.ofMinutes(2)),
        clock.instant().plus(Duration.ofMinutes(2)));
    JsonNode view = json(get("/api/sales/resv-api", null));
    assertThat(view.get("remaining").asLong()).isZero();
    assertThat(view.get("held").asLong()).isEqualTo(1);

    // Bob finds every unit held: retryable, not sold out.
    HttpResponse<String> bob = order("bob");
    assertThat(bob.statusCode()).isEqualTo(409);
    assertThat(json(bob).get("reason").asText()).isEqualTo("ALL_HELD");

    // Nobody but Alice can pay or cancel her order here.
    assertThat(post("/api/orders/" + aliceOrder + "/pay", "mallory").statusCode()).isEqualTo(404);

    // Alice cancels: the unit is back at once and Bob gets it.
    HttpResponse<String> cancelled = post("/api/orders/" + aliceOrder + "/cancel", "alice");
    assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
    assertThat(json(cancelled).get("state").asText()).isEqualTo("CANCELLED");
    HttpResponse<String> bobAgain = order("bob");
    assertThat(bobAgain.statusCode()).as(bobAgain.body()).isEqualTo(201);
    long bobOrder = json(bobAgain).get("orderId").asLong();

    // Bob pays twice (a double click): one payment, the second answers "already paid".
    HttpResponse<String> paid = post("/api/orders/" + bobOrder + "/pay", "bob");
    assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
    assertThat(json(paid).get("outcome").asText()).isEqualTo("APPLIED");
    assertThat(json(paid).get("state").asText()).isEqualTo("PAID");
    HttpResponse<String> again = post("/api/orders/" + bobOrder + "/pay", "bob");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(json(again).get("outcome").asText()).isEqualTo("ALREADY_IN_STATE");
    // A paid order cannot be cancelled.
    assertThat(post("/api/orders/" + bobOrder + "/cancel", "bob").statusCode()).isEqualTo(409);

    SaleSnapshot s = engine.snapshot("resv-api");
    assertThat(s.paid()).isEqualTo(1);
    assertThat(s.held()).isZero();
    assertThat(s.remaining()).isZero();
  }

  @Test
  void aPaymentAfterTheDeadlineIsRefusedAndTheUnitSellsAgain() throws Exception {
    // A second sale on the same engine, so this test does not depend on the other one.
    engine.registerSale(dev.seckill.Sale.builder("resv-late").stock(1).limitPerUser(1)
        .startsAt(clock.instant().minusSeconds(1)).endsAt(clock.instant().plus(Duration.ofHours(1)))
        .payWithin(Duration.ofMinutes(2)).build());
    // The shop's API knows only the sales it was started with: drive this one on the engine.
    var carol = engine.submit(dev.seckill.PurchaseRequest.of("resv-late", "carol", 1)).join();
    assertThat(carol.isConfirmed()).isTrue();
    clock.set(clock.instant().plus(Duration.ofMinutes(2)).plusMillis(1));
    var late = engine.pay(carol.orderId(), "ref-1").join();
    assertThat(late.outcome()).isEqualTo(dev.seckill.OrderTransition.Outcome.TOO_LATE);
    assertThat(late.state()).isEqualTo(dev.seckill.OrderState.EXPIRED);
    var dave = engine.submit(dev.seckill.PurchaseRequest.of("resv-late", "dave", 1)).join();
    assertThat(dave.isConfirmed()).isTrue();
  }

  private HttpResponse<String> order(String user) throws IOException, InterruptedException {
    return post("/api/sales/resv-api/orders", user, "{\"quantity\":1}");
  }

  private HttpResponse<String> get(String path, String user)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
    if (user != null) {
      b.header("X-User", user);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String user)
      throws IOException, InterruptedException {
    return post(path, user, null);
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

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }
}
