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
package dev.seckill.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.OrderSinkContractTest;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;

/**
 * The core's {@link OrderSinkContractTest} against one database, with the stock summary on, and
 * one extra invariant checked after every test: the summary equals the orders table aggregated
 * by sale (so concurrent overlapping batches never double count). Subclasses pick the database in
 * {@code @BeforeAll}.
 */
abstract class AbstractJdbcContractTest extends OrderSinkContractTest {
  /** Set by the subclass's {@code @BeforeAll}. */
  static DataSource dataSource;

  abstract Dialect dialect();

  abstract String table();

  String summaryTable() {
    return table() + "_sum";
  }

  @Override
  protected OrderSink createSink() throws Exception {
    TestDatabases.drop(dataSource, table(), summaryTable());
    JdbcOrderSink built = JdbcOrderSink.builder(dataSource)
        .table(table())
        .summaryTable(summaryTable())
        .stockSummary(true)
        .createSchemaIfMissing(true)
        .build();
    assertThat(built.dialect()).isEqualTo(dialect());
    return built;
  }

  @Override
  protected Map<Long, ConfirmedOrder> storedOrders() throws Exception {
    return TestDatabases.readOrders(dataSource, dialect(), table());
  }

  @AfterEach
  void summaryMatchesTheOrders() throws Exception {
    assertThat(TestDatabases.readSummary(dataSource, summaryTable()))
        .isEqualTo(TestDatabases.aggregate(dataSource, table()));
  }
}
