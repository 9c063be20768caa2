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

import dev.seckill.EngineHealth;
import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.SeckillEngine;
import dev.seckill.SeckillMetrics;
import dev.seckill.jdbc.JdbcOrderSink;
import dev.seckill.spi.OrderSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.env.MockEnvironment;

/** The auto-configuration, one property group at a time, on real engines and a real H2 database. */
class SeckillAutoConfigurationTest {
  static final Instant NOW = Instant.parse("2026-11-11T10:00:00Z");

  @TempDir Path dir;

  ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SeckillAutoConfiguration.class,
            SeckillHealthAutoConfiguration.class, SeckillMetricsAutoConfiguration.class))
        .withPropertyValues("seckill.data-dir=" + dir.resolve("ledger"),
            "seckill.development-defaults=true")
        .withBean(SeckillEngineBuilderCustomizer.class,
            () -> b -> b.clock(Clock.fixed(NOW, ZoneOffset.UTC)));
  }

  static String[] sale(String id) {
    return new String[] {"seckill.sales[0].id=" + id, "seckill.sales[0].stock=3",
        "seckill.sales[0].starts-at=2026-11-11T09:00:00Z",
        "seckill.sales[0].ends-at=2026-11-11T12:00:00Z", "seckill.sales[0].limit-per-user=1"};
  }

  @Test
  void aContextWithoutDataSourceStartsAnEngineWithoutSinkAndRegistersTheSales() {
    runner().withPropertyValues(sale("phone")).run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(SeckillEngine.class)
          .doesNotHaveBean(OrderSink.class).hasSingleBean(SeckillHealthIndicator.class)
          .hasSingleBean(SeckillMetrics.class);
      SeckillEngine engine = ctx.getBean(SeckillEngine.class);
      assertThat(engine.sales()).singleElement().satisfies(s -> {
        assertThat(s.id()).isEqualTo("phone");
        assertThat(s.stock()).isEqualTo(3);
        assertThat(s.limitPerUser()).isEqualTo(1);
      });
      PurchaseResult r = engine.submit(PurchaseRequest.of("phone", "u1", 1)).get(30, TimeUnit.SECONDS);
      assertThat(r.isConfirmed()).isTrue();
      assertThat(engine.health().shards()).singleElement()
          .satisfies(s -> assertThat(s.hasSink()).isFalse());
    });
  }

  @Test
  void aSaleWithPayWithinTakesReservationsAndTheStateColumnFollows() {
    String url = "jdbc:h2:mem:resv-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
            SeckillAutoConfiguration.class))
        .withPropertyValues("seckill.data-dir=" + dir.resolve("ledger"),
            "seckill.development-defaults=true", "spring.datasource.url=" + url,
            "seckill.jdbc.order-states=true", "seckill.reservation-tick-interval=50ms",
            "seckill.reservation-retention=2h", "seckill.sales[0].pay-within=15m",
            "seckill.sales[0].release-restores-limit=true")
        .withPropertyValues(sale("tv"))
        .withBean(SeckillEngineBuilderCustomizer.class,
            () -> b -> b.clock(Clock.fixed(NOW, ZoneOffset.UTC)))
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          SeckillEngine engine = ctx.getBean(SeckillEngine.class);
          assertThat(engine.sales()).singleElement().satisfies(s -> {
            assertThat(s.payWithin()).isEqualTo(java.time.Duration.ofMinutes(15));
            assertThat(s.releaseRestoresLimit()).isTrue();
          });
          long order = engine.submit(PurchaseRequest.of("tv", "u1", 1)).get(30, TimeUnit.SECONDS)
              .orderId();
          assertThat(engine.pay(order, "psp").get(30, TimeUnit.SECONDS).applied()).isTrue();
          engine.flush().get(30, TimeUnit.SECONDS);
          String state = new JdbcTemplate(ctx.getBean(javax.sql.DataSource.class)).queryForObject(
              "SELECT state FROM seckill_order WHERE order_id = ?", String.class, order);
          assertThat(state).isEqualTo("PAID");
        });
  }

  @Test
  void engineSizesFromProperties() {
    runner().withPropertyValues("seckill.shards=2", "seckill.ring-size=256",
        "seckill.outbox-capacity-per-shard=5000", "seckill.idle-strategy=SLEEPING").run(ctx -> {
          EngineHealth h = ctx.getBean(SeckillEngine.class).health();
          assertThat(h.shards()).hasSize(2).allSatisfy(s -> {
            assertThat(s.ringSize()).isEqualTo(256);
            assertThat(s.outboxCapacity()).isEqualTo(5000);
          });
        });
  }

  @Test
  void theEngineIsClosedWithTheContext() {
    SeckillEngine[] seen = new SeckillEngine[1];
    runner().run(ctx -> seen[0] = ctx.getBean(SeckillEngine.class));
    assertThat(seen[0].isClosed()).isTrue();
  }

  @Test
  void aDataSourceGetsAJdbcSinkAndPersistedOrdersReachTheTable() {
    String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    runner().withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
        .withPropertyValues("spring.datasource.url=" + url, "seckill.durability=PERSISTED",
            "seckill.flush.batch-size=10", "seckill.flush.max-delay=5ms",
            "seckill.jdbc.table=starter_orders")
        .withPropertyValues(sale("tv"))
        .run(ctx -> {
          assertThat(ctx).hasNotFailed().hasSingleBean(JdbcOrderSink.class);
          SeckillEngine engine = ctx.getBean(SeckillEngine.class);
          long orderId = engine.submit(PurchaseRequest.of("tv", "alice", 1)).get(30, TimeUnit.SECONDS)
              .orderId();
          // PERSISTED: the confirmation arrived after the row was stored.
          JdbcTemplate jdbc = new JdbcTemplate(ctx.getBean(DataSource.class));
          assertThat(jdbc.queryForObject("SELECT user_id FROM starter_orders WHERE order_id = ?",
              String.class, orderId)).isEqualTo("alice");
          assertThat(engine.health().shards().get(0).storedOrders()).isEqualTo(1);
        });
  }

  @Test
  void anApplicationSinkWinsAndJdbcCanBeTurnedOff() {
    String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    runner().withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
        .withPropertyValues("spring.datasource.url=" + url, "seckill.jdbc.enabled=false")
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(OrderSink.class));
  }

  @Test
  void healthIndicatorReportsTheEngineAndCanBeTurnedOff() {
    runner().withPropertyValues("seckill.health.outbox-fill=0.5").run(ctx -> {
      Health h = ctx.getBean(SeckillHealthIndicator.class).health();
      assertThat(h.getStatus()).isEqualTo(Status.UP);
      assertThat(h.getDetails()).containsKeys("shards", "checkedAt");
      ctx.getBean(SeckillEngine.class).close();
      assertThat(ctx.getBean(SeckillHealthIndicator.class).health().getStatus())
          .isEqualTo(Status.DOWN);
    });
    runner().withPropertyValues("management.health.seckill.enabled=false")
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(SeckillHealthIndicator.class));
  }

  @Test
  void metricsBindToARegistry() {
    runner().withPropertyValues(sale("watch")).run(ctx -> {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      ctx.getBean(SeckillMetrics.class).bindTo(registry);
      ctx.getBean(SeckillEngine.class).submit(PurchaseRequest.of("watch", "u", 1)).join();
      assertThat(registry.get("seckill.decisions").tags("sale", "watch", "outcome", "confirmed")
          .functionCounter().count()).isEqualTo(1);
    });
  }

  @Test
  void admissionPropertiesReachTheEngine() {
    String[] props = sale("ring");
    runner().withPropertyValues(props)
        .withPropertyValues("seckill.sales[0].require-token=true",
            "seckill.admission.token-secret=c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyYnl0ZXM=",
            "seckill.admission.token-ttl=30s")
        .run(ctx -> {
          SeckillEngine engine = ctx.getBean(SeckillEngine.class);
          assertThat(engine.submit(PurchaseRequest.of("ring", "u", 1)).join().rejection())
              .isEqualTo(dev.seckill.Rejection.BAD_TOKEN);
          String token = engine.issueToken("ring", "u").token();
          assertThat(engine.submit(PurchaseRequest.of("ring", "u", 1).withToken(token)).join()
              .isConfirmed()).isTrue();
        });
  }

  @Test
  void reservationPropertiesReachTheSale() {
    runner().withPropertyValues(sale("resv"))
        .withPropertyValues("seckill.sales[0].pay-within=90s",
            "seckill.sales[0].release-restores-limit=true")
        .run(ctx -> {
          dev.seckill.Sale s = ctx.getBean(SeckillEngine.class).sales().stream()
              .filter(x -> x.id().equals("resv")).findFirst().orElseThrow();
          assertThat(s.payWithin()).isEqualTo(java.time.Duration.ofSeconds(90));
          assertThat(s.releaseRestoresLimit()).isTrue();
        });
    runner().withPropertyValues(sale("final")).run(ctx ->
        assertThat(ctx.getBean(SeckillEngine.class).sales().stream()
            .filter(x -> x.id().equals("final")).findFirst().orElseThrow().payWithin()).isNull());
  }

  @Test
  void badSettingsFailTheStartNamingTheProperty() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SeckillAutoConfiguration.class))
        .run(ctx -> assertThat(ctx).getFailure().rootCause()
            .hasMessageContaining("seckill.data-dir is not set"));
    runner().withPropertyValues("seckill.sales[0].id=x", "seckill.sales[0].stock=1").run(ctx ->
        assertThat(ctx).getFailure().rootCause().hasMessageContaining("seckill.sales[0]")
            .hasMessageContaining("starts-at"));
    runner().withPropertyValues("seckill.health.ring-fill=2").run(ctx ->
        assertThat(ctx).getFailure().rootCause().hasMessageContaining("seckill.health.ring-fill").hasMessageContaining("ringFill"));
    runner().withPropertyValues("seckill.admission.token-secret=!!!").run(ctx ->
        assertThat(ctx).getFailure().rootCause()
            .hasMessageContaining("seckill.admission.token-secret"));
    runner().withPropertyValues("seckill.flush.initial-backoff=1s").run(ctx ->
        assertThat(ctx).getFailure().rootCause().hasMessageContaining("seckill.flush.max-backoff"));
  }

  @Test
  void offWhenDisabledOrWhenTheApplicationDefinesAnEngine() {
    runner().withPropertyValues("seckill.enabled=false")
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(SeckillEngine.class));
    SeckillEngine own = SeckillEngine.builder().dataDir(dir.resolve("own")).developmentDefaults()
        .build();
    try {
      runner().withBean("mine", SeckillEngine.class, () -> own, d -> d.setDestroyMethodName(""))
          .run(ctx -> assertThat(ctx).getBean(SeckillEngine.class).isSameAs(own));
    } finally {
      own.close();
    }
  }

  @Test
  void degradedJoinsTheHealthStatusOrderUnlessTheApplicationSetsOne() {
    MockEnvironment env = new MockEnvironment();
    new SeckillEnvironmentPostProcessor().postProcessEnvironment(env, null);
    assertThat(env.getProperty(SeckillEnvironmentPostProcessor.ORDER))
        .isEqualTo("DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN");
    MockEnvironment mine = new MockEnvironment().withProperty(SeckillEnvironmentPostProcessor.ORDER,
        "DOWN,UP");
    new SeckillEnvironmentPostProcessor().postProcessEnvironment(mine, null);
    assertThat(mine.getProperty(SeckillEnvironmentPostProcessor.ORDER)).isEqualTo("DOWN,UP");
  }
}
