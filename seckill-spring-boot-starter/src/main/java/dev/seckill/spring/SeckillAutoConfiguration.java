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

import dev.seckill.Sale;
import dev.seckill.SeckillEngine;
import dev.seckill.jdbc.JdbcOrderSink;
import dev.seckill.jdbc.JdbcStockCoordinator;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.StockCoordinator;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The engine as a Spring bean, from the {@code seckill.*} properties ({@link SeckillProperties}).
 *
 * <ul>
 *   <li>An {@link OrderSink} bean, if the application defines one, receives the confirmed orders.
 *       Otherwise, with seckill-jdbc-adapter on the class path and a {@link DataSource} bean,
 *       a {@link JdbcOrderSink} on that DataSource does ({@code seckill.jdbc.*}); without either
 *       the engine runs without a sink (orders stay in the ledger).
 *   <li>With {@code seckill.cluster.enabled=true} the engine is one node of a cluster
 *       (docs/cluster.md): a {@link StockCoordinator} bean, if the application defines one, or
 *       else a {@link JdbcStockCoordinator} on the DataSource ({@code seckill.cluster.*}, its
 *       orders table {@code seckill.jdbc.table}) leases it stock and stores its orders through
 *       a fenced sink. No {@link JdbcOrderSink} is made, an application {@link OrderSink} bean is
 *       refused, and durability is PERSISTED ({@code seckill.durability=LEDGER} is refused).
 *       The coordinator bean is closed after the engine.
 *   <li>{@link SeckillEngineBuilderCustomizer} beans adjust the builder after the properties.
 *   <li>{@code seckill.sales[*]} are registered at start.
 *   <li>The engine is closed with the context. It owns the sink and closes it after its last
 *       flush, so the sink bean has no destroy method of its own; the DataSource it depends on is
 *       closed after the engine.
 * </ul>
 * Defining a {@link SeckillEngine} bean yourself turns this off.
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration")
@ConditionalOnClass(SeckillEngine.class)
@ConditionalOnProperty(prefix = "seckill", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(SeckillProperties.class)
public class SeckillAutoConfiguration {
  private static final Logger log = LoggerFactory.getLogger(SeckillAutoConfiguration.class);

  /**
   * The engine, built from the properties, customized, with the configured sales registered.
   *
   * @param properties the {@code seckill.*} properties
   * @param sink the application's or the JDBC order sink, if any
   * @param coordinator the cluster's stock coordinator, if cluster mode is on
   * @param customizers builder customizers, in order
   * @return the running engine
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public SeckillEngine seckillEngine(SeckillProperties properties, ObjectProvider<OrderSink> sink,
      ObjectProvider<StockCoordinator> coordinator,
      ObjectProvider<SeckillEngineBuilderCustomizer> customizers) {
    StockCoordinator stock = properties.getCluster().isEnabled()
        ? coordinator.getIfAvailable() : null;
    SeckillEngine.Builder builder = EngineFactory.builder(properties, sink.getIfAvailable(),
        stock);
    customizers.orderedStream().forEach(c -> c.customize(builder));
    SeckillEngine engine = builder.build();
    try {
      List<SeckillProperties.SaleProperties> sales = properties.getSales();
      for (int i = 0; i < sales.size(); i++) {
        Sale sale = engine.registerSale(EngineFactory.sale(sales.get(i), i));
        log.info("seckill: sale {} registered", sale);
      }
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    return engine;
  }

  /** The JDBC order sink on the application's DataSource; not in cluster mode. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.seckill.jdbc.JdbcOrderSink")
  @ConditionalOnBean(DataSource.class)
  @ConditionalOnExpression("${seckill.jdbc.enabled:true} and !${seckill.cluster.enabled:false}")
  static class JdbcSinkConfiguration {
    /**
     * A {@link JdbcOrderSink} on the DataSource. No destroy method: the engine closes it.
     *
     * @param dataSource the application's DataSource
     * @param properties the {@code seckill.jdbc.*} properties
     * @return the sink
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean(OrderSink.class)
    JdbcOrderSink seckillOrderSink(DataSource dataSource, SeckillProperties properties) {
      SeckillProperties.Jdbc jdbc = properties.getJdbc();
      JdbcOrderSink.Builder b = JdbcOrderSink.builder(dataSource)
          .createSchemaIfMissing(jdbc.isCreateSchema());
      if (jdbc.getTable() != null) {
        b.table(jdbc.getTable());
      }
      if (jdbc.getSummaryTable() != null) {
        b.summaryTable(jdbc.getSummaryTable());
      }
      if (jdbc.getStockSummary() != null) {
        b.stockSummary(jdbc.getStockSummary());
      }
      if (jdbc.getOrderStates() != null) {
        b.orderStates(jdbc.getOrderStates());
      }
      return b.build();
    }
  }

  /** Cluster mode's coordinator on the application's DataSource. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.seckill.jdbc.JdbcStockCoordinator")
  @ConditionalOnBean(DataSource.class)
  @ConditionalOnProperty(prefix = "seckill.cluster", name = "enabled", havingValue = "true")
  static class JdbcCoordinatorConfiguration {
    /**
     * A {@link JdbcStockCoordinator} on the DataSource: its tables named with
     * {@code seckill.cluster.table-prefix}, its orders in {@code seckill.jdbc.table} (the same
     * table and schema as {@link JdbcOrderSink}), created if missing unless
     * {@code seckill.jdbc.create-schema=false}. Closed after the engine (which uses it).
     *
     * @param dataSource the application's DataSource
     * @param properties the {@code seckill.*} properties
     * @return the coordinator
     */
    @Bean
    @ConditionalOnMissingBean(StockCoordinator.class)
    JdbcStockCoordinator seckillStockCoordinator(DataSource dataSource,
        SeckillProperties properties) {
      SeckillProperties.Jdbc jdbc = properties.getJdbc();
      if (Boolean.TRUE.equals(jdbc.getStockSummary())) {
        throw new IllegalStateException("seckill.jdbc.stock-summary=true is not kept in cluster"
            + " mode (seckill.cluster.enabled=true): the coordinator's pool and lease tables are"
            + " the record of the stock; set seckill.jdbc.stock-summary=false");
      }
      if (Boolean.FALSE.equals(jdbc.getOrderStates())) {
        throw new IllegalStateException("seckill.jdbc.order-states=false is not available in"
            + " cluster mode (seckill.cluster.enabled=true): the coordinator always stores"
            + " reservation state changes (a cancelled or expired reservation gives its units back"
            + " to the pool there); remove the property or set it to true");
      }
      JdbcStockCoordinator.Builder b = JdbcStockCoordinator.builder(dataSource)
          .createSchemaIfMissing(jdbc.isCreateSchema());
      try {
        if (jdbc.getTable() != null) {
          b.ordersTable(jdbc.getTable());
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("seckill.jdbc.table: " + e.getMessage());
      }
      try {
        if (properties.getCluster().getTablePrefix() != null) {
          b.tablePrefix(properties.getCluster().getTablePrefix());
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("seckill.cluster.table-prefix: " + e.getMessage());
      }
      return b.build();
    }
  }
}
