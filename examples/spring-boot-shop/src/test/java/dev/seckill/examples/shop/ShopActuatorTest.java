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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Actuator's health and Prometheus endpoints, and the operator page's JSON, answer. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "shop.sale.id=actuator-sale",
    "shop.sale.stock=5",
    "shop.sale.starts-in=0s",
    "shop.sale.require-token=false",
})
@Import(TestClockConfig.class)
@AutoConfigureObservability(tracing = false) // @SpringBootTest turns metrics export off
@DirtiesContext
class ShopActuatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @DynamicPropertySource
  static void dataDir(DynamicPropertyRegistry registry) {
    registry.add("shop.data-dir", () -> TestDirs.fresh("actuator").toString());
  }

  @LocalServerPort
  int port;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void healthPrometheusAndOpsAnswer() throws Exception {
    HttpResponse<String> order = http.send(HttpRequest.newBuilder(uri("/api/sales/actuator-sale/orders"))
        .header("X-User", "ann").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(order.statusCode()).as(order.body()).isEqualTo(201);

    JsonNode health = JSON.readTree(get("/actuator/health").body());
    assertThat(health.at("/status").asText()).isEqualTo("UP");
    assertThat(health.at("/components/seckill/status").asText()).isEqualTo("UP");
    assertThat(health.at("/components/seckill/details/shards/0/ringSize").asInt()).isPositive();

    HttpResponse<String> prometheus = get("/actuator/prometheus");
    assertThat(prometheus.statusCode()).isEqualTo(200);
    assertThat(prometheus.body())
        .contains("seckill_decisions_total{outcome=\"confirmed\",sale=\"actuator-sale\"} 1.0")
        .contains("seckill_stock_remaining_units{sale=\"actuator-sale\"} 4.0")
        .contains("seckill_outbox_size_orders{shard=\"0\"}")
        .contains("seckill_health 1.0")
        .contains("shop_order_decision_seconds{quantile=\"0.99\"}");

    JsonNode ops = JSON.readTree(get("/api/ops").body());
    assertThat(ops.at("/health").asText()).isEqualTo("UP");
    assertThat(ops.at("/sales/0/id").asText()).isEqualTo("actuator-sale");
    assertThat(ops.at("/sales/0/decisions/CONFIRMED").asLong()).isEqualTo(1);
    assertThat(ops.at("/sales/0/remaining").asLong()).isEqualTo(4);
    assertThat(ops.at("/shards/0/ringSize").asInt()).isPositive();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
