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
package dev.seckill.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.Rejection;
import dev.seckill.SeckillEngine;
import dev.seckill.jdbc.JdbcOrderSink;
import dev.seckill.jdbc.JdbcStockCoordinator;
import dev.seckill.spi.Lease;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.StockCoordinator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code seckill.cluster.*}: off by default, the refusals that keep cluster mode honest (LEDGER
 * durability, an application order sink, no coordinator, bad settings, JdbcOrderSink-only
 * options), each naming the property; and, on a real PostgreSQL when
 * {@code SECKILL_IT_POSTGRES_URL} is set, an engine that is one node of a cluster.
 */
class ClusterAutoConfigurationTest {
  @TempDir Path dir;

  ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SeckillAutoConfiguration.class))
        .withPropertyValues("seckill.data-dir=" + dir.resolve("ledger"),
            "seckill.development-defaults=true");
  }

  ApplicationContextRunner withH2() {
    return runner().withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID()
            + ";DB_CLOSE_DELAY=-1");
  }

  /** Refusals only: the engine is never built, so this coordinator is never called. */
  static final class NeverCalledCoordinator implements StockCoordinator {
    @Override
    public int newNodeId() {
      throw new AssertionError("not called");
    }

    @Override
    public void openSale(String saleId, long stock, int limitPerUser) {
      throw new AssertionError("not called");
    }

    @Override
    public Lease lease(int nodeId, String saleId, int units, Duration ttl) {
      throw new AssertionError("not called");
    }

    @Override
    public Lease renew(int nodeId, String saleId, long leaseId, int units, Duration ttl) {
      throw new AssertionError("not called");
    }

    @Override
    public Lease giveBack(int nodeId, String saleId, int units) {
      throw new AssertionError("not called");
    }

    @Override
    public void release(int nodeId, String saleId) {
      throw new AssertionError("not called");
    }

    @Override
    public int reap(Duration grace) {
      throw new AssertionError("not called");
    }

    @Override
    public OrderSink sink(int nodeId) {
      throw new AssertionError("not called");
    }
  }

  @Test
  void offByDefault() {
    withH2().run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(JdbcOrderSink.class)
          .doesNotHaveBean(StockCoordinator.class);
      assertThat(ctx.getBean(SeckillEngine.class).nodeId()).isZero();
      assertThat(ctx.getBean(SeckillProperties.class).getCluster().isEnabled()).isFalse();
    });
    // An application's coordinator bean alone does not turn cluster mode on.
    withH2().withBean(StockCoordinator.class, NeverCalledCoordinator::new)
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(JdbcOrderSink.class));
  }

  @Test
  void ledgerDurabilityIsRefusedNamingTheProperty() {
    runner().withPropertyValues("seckill.cluster.enabled=true", "seckill.durability=LEDGER")
        .withBean(StockCoordinator.class, NeverCalledCoordinator::new)
        .run(ctx -> assertThat(ctx).getFailure().rootCause()
            .hasMessageContaining("seckill.durability=LEDGER")
            .hasMessageContaining("seckill.cluster.enabled=true")
            .hasMessageContaining("PERSISTED"));
  }

  @Test
  void anApplicationOrderSinkIsRefused() {
    runner().withPropertyValues("seckill.cluster.enabled=true")
        .withBean(StockCoordinator.class, NeverCalledCoordinator::new)
        .withBean(OrderSink.class, () -> orders -> { })
        .run(ctx -> assertThat(ctx).getFailure().rootCause()
            .hasMessageContaining("seckill.cluster.enabled=true")
            .hasMessageContaining("OrderSink bean"));
  }

  @Test
  void withoutDataSourceOrCoordinatorTheStartFails() {
    runner().withPropertyValues("seckill.cluster.enabled=true").run(ctx ->
        assertThat(ctx).getFailure().rootCause()
            .hasMessageContaining("seckill.cluster.enabled=true needs a stock coordinator"));
  }

  @Test
  void badClusterSettingsFailTheStartNamingTheProperty() {
    String[] on = {"seckill.cluster.enabled=true"};
    ApplicationContextRunner r = runner().withPropertyValues(on)
        .withBean(StockCoordinator.class, NeverCalledCoordinator::new);
    r.withPropertyValues("seckill.cluster.lease-ttl=10ms").run(ctx ->
        assertThat(ctx).getFailure().rootCause().hasMessageContaining("seckill.cluster.lease-ttl")
            .hasMessageContaining("was PT0.01S"));
    r.withPropertyValues("seckill.cluster.initial-chunk=0").run(ctx ->
        assertThat(ctx).getFailure().rootCause()
            .hasMessageContaining("seckill.cluster.initial-chunk"));
    r.withPropertyValues("seckill.cluster.lease-ttl=1s", "seckill.cluster.safety-margin=2s")
        .run(ctx -> assertThat(ctx).getFailure().rootCause()
            .hasMessageContaining("seckill.cluster.safety-margin").hasMessageContaining("PT2S"));
    withH2().withPropertyValues(on).withPropertyValues("seckill.cluster.table-prefix=1bad")
        .run(ctx -> assertThat(ctx).getFailure().rootCause()
            .hasMessageContaining("seckill.cluster.table-prefix").hasMessageContaining("1bad"));
  }

  @Test
  void jdbcSinkOnlyOptionsAreRefusedInClusterMode() {
    withH2().withPropertyValues("seckill.cluster.enabled=true", "seckill.jdbc.stock-summary=true")
        .run(ctx -> assertThat(ctx).getFailure().rootCause()
            .hasMessageContaining("seckill.jdbc.stock-summary=true"));
    withH2().withPropertyValues("seckill.cluster.enabled=true", "seckill.jdbc.order-states=false")
        .run(ctx -> assertThat(ctx).getFailure().rootCause()
            .hasMessageContaining("seckill.jdbc.order-states=false"));
  }

  /** The whole path on an in-memory H2 database: every start of the quick test suite. */
  @Test
  void onH2TheEngineIsAClusterNodeAndDurabilityIsPersisted() {
    withH2().withPropertyValues("seckill.cluster.enabled=true", "seckill.jdbc.table=cl_orders",
            "seckill.cluster.table-prefix=cl_", "seckill.cluster.lease-ttl=2s",
            "seckill.cluster.initial-chunk=2", "seckill.flush.max-delay=5ms")
        .withPropertyValues(SeckillAutoConfigurationTest.sale("h2cl"))
        .withBean(SeckillEngineBuilderCustomizer.class, () -> b -> b.clock(Clock.fixed(
            SeckillAutoConfigurationTest.NOW, java.time.ZoneOffset.UTC)))
        .run(ctx -> assertAClusterNodeThatStoresBeforeItAnswers(ctx, "h2cl", "bob", "cl_orders"));
  }

  /**
   * A sale with {@code pay-within} on a cluster node: the reservation is stored before the
   * buyer hears of it, its cancellation is stored in the orders table's state column and its
   * unit goes back to the coordinator's pool (not to the node).
   */
  @Test
  void aPayWithinSaleOnAClusterNodeGivesCancelledUnitsBackToThePool() {
    withH2().withPropertyValues("seckill.cluster.enabled=true", "seckill.jdbc.table=rv_orders",
            "seckill.cluster.table-prefix=rv_", "seckill.cluster.lease-ttl=2s",
            "seckill.cluster.initial-chunk=2", "seckill.flush.max-delay=5ms",
            "seckill.jdbc.order-states=true", "seckill.sales[0].pay-within=10m")
        .withPropertyValues(SeckillAutoConfigurationTest.sale("h2rv"))
        .withBean(SeckillEngineBuilderCustomizer.class, () -> b -> b.clock(Clock.fixed(
            SeckillAutoConfigurationTest.NOW, java.time.ZoneOffset.UTC)))
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          SeckillEngine engine = ctx.getBean(SeckillEngine.class);
          PurchaseResult r = buy(engine, "h2rv", "carol");
          assertThat(r.isConfirmed()).as("%s", r).isTrue();
          JdbcTemplate jdbc = new JdbcTemplate(ctx.getBean(DataSource.class));
          assertThat(jdbc.queryForObject("SELECT held FROM rv_pool WHERE sale_id = 'h2rv'",
              Long.class)).isEqualTo(1L);
          assertThat(engine.cancel(r.orderId()).get(30, TimeUnit.SECONDS).state())
              .isEqualTo(dev.seckill.OrderState.CANCELLED);
          engine.flush().get(30, TimeUnit.SECONDS);
          assertThat(jdbc.queryForObject("SELECT state FROM rv_orders WHERE order_id = ?",
              String.class, r.orderId())).isEqualTo("CANCELLED");
          assertThat(jdbc.queryForList("SELECT held, released FROM rv_pool WHERE sale_id ="
              + " 'h2rv'").get(0)).containsEntry("HELD", 0L).containsEntry("RELEASED", 1L);
        });
  }

  /**
   * The whole path on PostgreSQL: the coordinator on Boot's DataSource, no JdbcOrderSink, a node
   * id, PERSISTED (the order is in the table when the buyer hears "confirmed").
   */
  @Test
  @Tag("slow")
  void onPostgresTheEngineIsAClusterNode() throws Exception {
    String url = System.getenv("SECKILL_IT_POSTGRES_URL");
    if (url == null || url.isBlank()) {
      String message = "set SECKILL_IT_POSTGRES_URL (e.g. jdbc:postgresql://127.0.0.1:5432/test"
          + "?user=postgres) to run cluster mode against PostgreSQL";
      if ("true".equalsIgnoreCase(System.getenv("SECKILL_IT_REQUIRED"))) {
        fail(message + "; SECKILL_IT_REQUIRED=true, so this fails instead of skipping");
      }
      Assumptions.abort("skipped: " + message);
    }
    String prefix = "stit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";
    String table = prefix + "order";
    try {
      runner().withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
          .withPropertyValues("spring.datasource.url=" + url, "seckill.cluster.enabled=true",
              "seckill.cluster.table-prefix=" + prefix, "seckill.jdbc.table=" + table,
              "seckill.cluster.lease-ttl=2s", "seckill.cluster.initial-chunk=2",
              "seckill.flush.max-delay=5ms")
          .withPropertyValues(SeckillAutoConfigurationTest.sale("cl"))
          .withBean(SeckillEngineBuilderCustomizer.class, () -> b -> b.clock(Clock.fixed(
              SeckillAutoConfigurationTest.NOW, java.time.ZoneOffset.UTC)))
          .run(ctx -> assertAClusterNodeThatStoresBeforeItAnswers(ctx, "cl", "alice", table));
    } finally {
      dropTables(url, prefix);
    }
  }

  /**
   * The context has a coordinator and no JdbcOrderSink, the engine a node id, and a purchase is
   * in {@code table} when the buyer hears "confirmed" (PERSISTED, not set by the user).
   */
  private static void assertAClusterNodeThatStoresBeforeItAnswers(
      org.springframework.boot.test.context.assertj.AssertableApplicationContext ctx, String sale,
      String user, String table) throws Exception {
    assertThat(ctx).hasNotFailed().hasSingleBean(JdbcStockCoordinator.class)
        .doesNotHaveBean(JdbcOrderSink.class);
    SeckillEngine engine = ctx.getBean(SeckillEngine.class);
    assertThat(engine.nodeId()).isPositive();
    PurchaseResult r = buy(engine, sale, user);
    assertThat(r.isConfirmed()).as("%s", r).isTrue();
    JdbcTemplate jdbc = new JdbcTemplate(ctx.getBean(DataSource.class));
    assertThat(jdbc.queryForObject("SELECT user_id FROM " + table + " WHERE order_id = ?",
        String.class, r.orderId())).isEqualTo(user);
  }

  /**
   * Buys one unit, again while the node has no units yet: the engine leases its first chunk on
   * its cluster thread after the sale is registered, and until the units reach the ledger writer
   * answers COORDINATOR_UNAVAILABLE or LEASED_ELSEWHERE (both "retry"), as a buyer would see
   * right after a start.
   */
  static PurchaseResult buy(SeckillEngine engine, String sale, String user) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      PurchaseResult r = engine.submit(PurchaseRequest.of(sale, user, 1)).get(30, TimeUnit.SECONDS);
      if (r.isConfirmed() || (r.rejection() != Rejection.COORDINATOR_UNAVAILABLE
          && r.rejection() != Rejection.LEASED_ELSEWHERE) || System.nanoTime() > until) {
        return r;
      }
    }
  }

  private static void dropTables(String url, String prefix) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
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
