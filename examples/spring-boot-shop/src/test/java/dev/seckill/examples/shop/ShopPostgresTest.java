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
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.SeckillEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The {@code postgres} profile against a real PostgreSQL: orders confirmed by the engine are in
 * PostgreSQL after the context closes, and {@code GET /api/orders/{id}} reads them back. Runs when
 * {@code SECKILL_IT_POSTGRES_URL} holds a JDBC URL (CI sets it); skipped otherwise, unless
 * {@code SECKILL_IT_REQUIRED=true}. Uses a table of its own and drops it afterwards.
 */
@Tag("slow")
class ShopPostgresTest {
  @Test
  void ordersGoToPostgresAndComeBack() throws Exception {
    String url = System.getenv("SECKILL_IT_POSTGRES_URL");
    if (url == null || url.isBlank()) {
      String message = "set SECKILL_IT_POSTGRES_URL (e.g. jdbc:postgresql://127.0.0.1:5432/test"
          + "?user=postgres) to run the shop against PostgreSQL";
      if ("true".equalsIgnoreCase(System.getenv("SECKILL_IT_REQUIRED"))) {
        fail(message + "; SECKILL_IT_REQUIRED=true, so this fails instead of skipping");
      }
      Assumptions.abort("skipped: " + message);
    }
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String table = "shop_it_" + suffix;
    String saleId = "pg-" + suffix;
    List<Long> ids = new ArrayList<>();
    try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ShopApplication.class)
        .profiles("postgres")
        .run("--server.port=0",
            "--spring.datasource.url=" + url,
            "--spring.datasource.username=",
            "--spring.datasource.password=",
            "--shop.data-dir=" + TestDirs.fresh("pg"),
            "--shop.table=" + table,
            "--shop.sale.id=" + saleId,
            "--shop.sale.stock=3",
            "--shop.sale.starts-at=2020-01-01T00:00:00Z",
            "--shop.sale.ends-at=2100-01-01T00:00:00Z",
            "--logging.level.root=warn")) {
      SeckillEngine engine = ctx.getBean(SeckillEngine.class);
      for (String user : List.of("ann", "ben")) {
        PurchaseResult r = engine.submit(PurchaseRequest.of(saleId, user, 1)
            .withToken(engine.issueToken(saleId, user).token())).join();
        assertThat(r.isConfirmed()).as("%s: %s", user, r).isTrue();
        ids.add(r.orderId());
      }
      engine.flush().join();
      String port = ctx.getEnvironment().getProperty("local.server.port");
      HttpResponse<String> got = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/orders/" + ids.get(0)))
              .header("X-User", "ann").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
      JsonNode order = new ObjectMapper().readTree(got.body());
      assertThat(order.get("saleId").asText()).isEqualTo(saleId);
      assertThat(order.get("confirmedAt").asText()).endsWith("Z");
    }
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      List<Long> stored = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT order_id FROM " + table)) {
        while (rs.next()) {
          stored.add(rs.getLong(1));
        }
      }
      s.execute("DROP TABLE " + table);
      s.execute("DELETE FROM seckill_sale_summary WHERE sale_id = '" + saleId + "'");
      assertThat(stored).containsExactlyInAnyOrderElementsOf(ids);
    }
  }
}
