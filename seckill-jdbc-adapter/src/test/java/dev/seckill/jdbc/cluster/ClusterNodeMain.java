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
package dev.seckill.jdbc.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.Cluster;
import dev.seckill.Durability;
import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.Sale;
import dev.seckill.SeckillEngine;
import dev.seckill.jdbc.Dialect;
import dev.seckill.jdbc.JdbcStockCoordinator;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * One cluster node, run in a child JVM by {@link ClusterHarness}: one engine (one shard,
 * {@link Durability#PERSISTED}) in cluster mode over a {@link JdbcStockCoordinator} whose
 * connections go through the node's {@link TcpProxy}. It registers the sale, prints
 * {@code READY <nodeId>}, then reads commands on stdin and answers on stdout, one line each:
 *
 * <ul>
 *   <li>{@code BUY <requestNo> <user> <qty>} → {@code OK <requestNo> <orderId>},
 *       {@code NO <requestNo> <Rejection>} or {@code ERR <requestNo> <message>} (the future
 *       failed); answers come in completion order, several may be in flight;
 *   <li>{@code CLOSE} (or the end of stdin: the driver died) → closes the engine, which ends the
 *       node's leases once its orders are settled, prints {@code CLOSED} and exits.
 * </ul>
 *
 * <p>Arguments, {@code key=value}: data, url (JDBC, through the proxy), dialect, prefix, orders,
 * sale, stock, limit, startsAt, endsAt (epoch millis), ttlMillis, graceMillis, chunk,
 * clockOffsetMinutes (the engine clock's offset from the system clock; 0 for none),
 * idleMillis (the coordinator's idleTransactionTimeout).
 */
public final class ClusterNodeMain {
  private ClusterNodeMain() {}

  /** The {@code key=value} arguments, by key. */
  static Map<String, String> arguments(String[] args) {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    return a;
  }

  /** Standard output as the driver reads it: UTF-8, flushed at each line. */
  static PrintStream driverOut() {
    return new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = arguments(args);
    PrintStream out = driverOut();
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(a.get("url"));
    hc.setPoolName("node");
    hc.setMaximumPoolSize(4);
    hc.setMinimumIdle(1);
    hc.setConnectionTimeout(2_000);
    hc.setValidationTimeout(1_000);
    HikariDataSource ds = new HikariDataSource(hc);
    JdbcStockCoordinator coordinator = JdbcStockCoordinator.builder(ds)
        .dialect(Dialect.valueOf(a.get("dialect"))).ordersTable(a.get("orders"))
        .tablePrefix(a.get("prefix")).createSchemaIfMissing(true)
        .idleTransactionTimeout(Duration.ofMillis(Long.parseLong(a.get("idleMillis")))).build();
    Cluster cluster = Cluster.builder(coordinator)
        .leaseTtl(Duration.ofMillis(Long.parseLong(a.get("ttlMillis"))))
        .reapGrace(Duration.ofMillis(Long.parseLong(a.get("graceMillis"))))
        .initialChunk(Integer.parseInt(a.get("chunk")))
        .build();
    Clock clock = Clock.systemUTC();
    long offset = Long.parseLong(a.get("clockOffsetMinutes"));
    if (offset != 0) {
      clock = Clock.offset(clock, Duration.ofMinutes(offset));
    }
    String saleId = a.get("sale");
    SeckillEngine engine = SeckillEngine.builder().dataDir(Path.of(a.get("data")))
        .developmentDefaults().prefaultFiles(false).shards(1).clock(clock)
        .durability(Durability.PERSISTED).cluster(cluster)
        .flushMaxDelay(Duration.ofMillis(2)).build();
    engine.registerSale(Sale.builder(saleId).stock(Long.parseLong(a.get("stock")))
        .limitPerUser(Integer.parseInt(a.get("limit"))).maxPerRequest(1)
        .startsAt(Instant.ofEpochMilli(Long.parseLong(a.get("startsAt"))))
        .endsAt(Instant.ofEpochMilli(Long.parseLong(a.get("endsAt")))).build());
    out.println("READY " + engine.nodeId());

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.equals("CLOSE")) {
      String[] f = line.split(" ");
      if (!f[0].equals("BUY") || f.length != 4) {
        out.println("ERR ? bad command: " + line);
        continue;
      }
      String req = f[1];
      PurchaseRequest r = PurchaseRequest.of(saleId, f[2], Integer.parseInt(f[3]));
      engine.submit(r).whenComplete((PurchaseResult res, Throwable ex) -> {
        if (ex != null) {
          Throwable cause = ex instanceof CompletionException && ex.getCause() != null
              ? ex.getCause() : ex;
          out.println("ERR " + req + " " + String.valueOf(cause).replace('\n', ' '));
        } else if (res.isConfirmed()) {
          out.println("OK " + req + " " + res.orderId());
        } else {
          out.println("NO " + req + " " + res.rejection());
        }
      });
    }
    engine.close();
    coordinator.close();
    ds.close();
    out.println("CLOSED");
    out.flush();
    System.exit(0);
  }
}
