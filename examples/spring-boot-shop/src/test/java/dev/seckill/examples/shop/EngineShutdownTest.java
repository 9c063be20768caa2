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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.SeckillEngine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The engine's life follows the Spring context: closing the context closes the engine after the
 * web server and before the connection pool, so orders still in the outbox reach the database;
 * the next start on the same directory resumes the same sale and order sequence. Also the two
 * start-up guards: a sale cannot change under the same id, and a new ledger refuses a database
 * that already holds orders (their ids would collide).
 */
@Tag("slow")
class EngineShutdownTest {
  /**
   * Command-line arguments (they outrank application.yml): an absolute window, open now, so a
   * restart registers the same sale.
   */
  private static String[] props(Path dir, String... overrides) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("server.port", "0");
    p.put("shop.data-dir", dir.toString());
    p.put("shop.sale.id", "close-sale");
    p.put("shop.sale.stock", "5");
    p.put("shop.sale.limit-per-user", "1");
    p.put("shop.sale.starts-at", "2020-01-01T00:00:00Z");
    p.put("shop.sale.ends-at", "2100-01-01T00:00:00Z");
    // Orders wait a minute in the outbox: only close() can have written them by the end.
    p.put("seckill.flush.max-delay", "1m");
    p.put("logging.level.root", "warn");
    for (String o : overrides) {
      int eq = o.indexOf('=');
      p.put(o.substring(0, eq), o.substring(eq + 1));
    }
    return p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
        .toArray(String[]::new);
  }

  private static ConfigurableApplicationContext start(String... args) {
    return new SpringApplicationBuilder(ShopApplication.class).run(args);
  }

  @Test
  void closingTheContextClosesTheEngineAndStoresItsOrders() throws Exception {
    Path dir = TestDirs.fresh("close");
    List<Long> ids = new ArrayList<>();
    SeckillEngine engine;
    try (ConfigurableApplicationContext ctx = start(props(dir))) {
      engine = ctx.getBean(SeckillEngine.class);
      for (String user : List.of("ann", "ben", "cid")) {
        ids.add(buy(engine, user).orderId());
      }
    }
    assertThat(engine.isClosed()).isTrue();
    // The ledger's clean-shutdown marker (see DataDirectory): the next open needs no recovery.
    assertThat(dir.resolve("ledger").resolve("shard-0").resolve("CLEAN")).exists();
    assertThat(storedOrderIds(dir)).containsExactlyInAnyOrderElementsOf(ids);

    // Same directory, same sale: the engine reopens its ledger and carries on.
    try (ConfigurableApplicationContext ctx = start(props(dir))) {
      SeckillEngine again = ctx.getBean(SeckillEngine.class);
      assertThat(again.snapshot("close-sale").unitsSold()).isEqualTo(3);
      PurchaseResult dup = again.submit(request(again, "ann")).join();
      assertThat(dup.isConfirmed()).isFalse();
      long next = buy(again, "dan").orderId();
      assertThat(next).isGreaterThan(ids.stream().mapToLong(Long::longValue).max().orElseThrow());
      ids.add(next);
    }
    assertThat(storedOrderIds(dir)).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void aSaleCannotChangeUnderTheSameId() {
    Path dir = TestDirs.fresh("change");
    start(props(dir)).close();
    assertThatThrownBy(() -> start(props(dir, "shop.sale.stock=6")))
        .hasStackTraceContaining("A sale cannot change once registered")
        .hasRootCauseInstanceOf(IllegalArgumentException.class)
        .rootCause().hasMessageContaining("stock");
  }

  @Test
  void aNewLedgerRefusesADatabaseThatHoldsOrders() {
    Path first = TestDirs.fresh("ledger-a");
    try (ConfigurableApplicationContext ctx = start(props(first))) {
      buy(ctx.getBean(SeckillEngine.class), "ann");
    }
    Path second = TestDirs.fresh("ledger-b");
    assertThatThrownBy(() -> start(props(second, "spring.datasource.url=" + h2Url(first))))
        .hasStackTraceContaining("order ids would collide");
  }

  private static PurchaseRequest request(SeckillEngine engine, String user) {
    return PurchaseRequest.of("close-sale", user, 1)
        .withToken(engine.issueToken("close-sale", user).token());
  }

  private static PurchaseResult buy(SeckillEngine engine, String user) {
    PurchaseResult r = engine.submit(request(engine, user)).join();
    assertThat(r.isConfirmed()).as("%s buys: %s", user, r).isTrue();
    return r;
  }

  private static String h2Url(Path dir) {
    return "jdbc:h2:file:" + dir + "/h2/shop;WRITE_DELAY=0";
  }

  private static List<Long> storedOrderIds(Path dir) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(h2Url(dir), "sa", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT order_id FROM seckill_order")) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }
}
