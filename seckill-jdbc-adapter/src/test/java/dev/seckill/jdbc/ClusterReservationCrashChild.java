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

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.SeckillEngine;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;

/**
 * The victim of {@link ClusterReservationCrashTest}, in a child JVM: a cluster node over a
 * {@link JdbcStockCoordinator}, on a clock fixed at the sale's start, reserves units from four
 * threads, paying every fourth reservation and cancelling every seventh (whose units go back to
 * the pool and sell again), prints {@code HELD} once the node refuses {@code ALL_HELD} (every
 * unit paid or held by an unpaid reservation) and goes on until killed.
 *
 * <p>Arguments: dataDir, JDBC URL, orders table, table prefix.
 */
public final class ClusterReservationCrashChild {
  private ClusterReservationCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[1]);
    hc.setMaximumPoolSize(4);
    HikariDataSource ds = new HikariDataSource(hc);
    JdbcStockCoordinator coordinator = JdbcStockCoordinator.builder(ds).ordersTable(args[2])
        .tablePrefix(args[3]).createSchemaIfMissing(true).build();
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    SeckillEngine engine = ClusterReservationCrashTest.engine(dataDir, coordinator,
        Clock.fixed(ClusterReservationCrashTest.START, ZoneOffset.UTC));
    engine.registerSale(ClusterReservationCrashTest.sale());
    ReservationDbCrashChild.buyUntilKilled(engine, "resv", out);
  }
}
