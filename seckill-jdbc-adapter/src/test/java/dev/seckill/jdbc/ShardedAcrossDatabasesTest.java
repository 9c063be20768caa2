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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link ShardedOrderSink} across two real databases, PostgreSQL and MariaDB: every order ends up
 * in exactly one of them, the one its route names, and their union is the input. Runs when both
 * {@code SECKILL_IT_POSTGRES_URL} and {@code SECKILL_IT_MYSQL_URL} are set.
 */
@Tag("slow")
class ShardedAcrossDatabasesTest {
  private static final String TABLE = "seckill_shard_x";
  private static DataSource postgres;
  private static DataSource mariadb;
  private JdbcOrderSink pgSink;
  private JdbcOrderSink mySink;

  @BeforeAll
  static void databases() {
    postgres = TestDatabases.postgres();
    mariadb = TestDatabases.mysql();
  }

  @BeforeEach
  void sinks() throws Exception {
    TestDatabases.drop(postgres, TABLE);
    TestDatabases.drop(mariadb, TABLE);
    pgSink = JdbcOrderSink.builder(postgres).table(TABLE).createSchemaIfMissing(true).build();
    mySink = JdbcOrderSink.builder(mariadb).table(TABLE).createSchemaIfMissing(true).build();
  }

  @AfterEach
  void close() {
    pgSink.close();
    mySink.close();
  }

  private void check(ShardedOrderSink sharded, List<ConfirmedOrder> input) throws Exception {
    Map<Long, ConfirmedOrder> inPg = TestDatabases.readOrders(postgres, Dialect.POSTGRESQL, TABLE);
    Map<Long, ConfirmedOrder> inMy = TestDatabases.readOrders(mariadb, Dialect.MYSQL, TABLE);
    assertThat(inPg).isNotEmpty();
    assertThat(inMy).isNotEmpty();
    assertThat(inPg.keySet()).doesNotContainAnyElementsOf(inMy.keySet());
    Map<Long, ConfirmedOrder> union = new HashMap<>(inPg);
    union.putAll(inMy);
    assertThat(union).isEqualTo(
        input.stream().collect(Collectors.toMap(ConfirmedOrder::orderId, Function.identity())));
    for (ConfirmedOrder o : input) {
      OrderSink target = sharded.targetOf(o);
      assertThat(target == pgSink ? inPg : inMy).as("order %s in %s", o.orderId(), target)
          .containsKey(o.orderId());
    }
  }

  @Test
  void byUserIdHashAcrossPostgresAndMariaDb() throws Exception {
    ShardedOrderSink sharded = ShardedOrderSink.byUserIdHash(List.of(pgSink, mySink));
    List<ConfirmedOrder> input = ShardedOrderSinkTest.orders(1, 3_000);
    for (int i = 0; i < input.size(); i += 500) {
      sharded.store(input.subList(i, i + 500));
    }
    sharded.store(input.subList(250, 1_750)); // a retry spanning three earlier batches
    check(sharded, input);
  }

  @Test
  void bySaleIdAcrossPostgresAndMariaDb() throws Exception {
    ShardedOrderSink sharded = ShardedOrderSink.bySaleId(Map.of("sale-0", mySink), pgSink);
    List<ConfirmedOrder> input = new ArrayList<>(ShardedOrderSinkTest.orders(1, 1_000));
    sharded.store(input);
    sharded.store(input);
    check(sharded, input);
    assertThat(TestDatabases.readOrders(mariadb, Dialect.MYSQL, TABLE).values())
        .allSatisfy(o -> assertThat(o.saleId()).isEqualTo("sale-0"));
  }
}
