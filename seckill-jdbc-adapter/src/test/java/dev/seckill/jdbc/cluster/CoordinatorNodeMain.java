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
import dev.seckill.jdbc.Dialect;
import dev.seckill.jdbc.JdbcStockCoordinator;
import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.Lease;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.VoidedOrder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in cluster node with no engine, run in a child JVM like {@link ClusterNodeMain} and
 * speaking the same protocol: it follows the lease protocol of issue #13 by hand, straight on
 * {@link JdbcStockCoordinator} (lease chunks, sell only leased units until the local deadline
 * {@code t0 + ttl·(1−ρ) − δ}, settle through the coordinator's fenced sink, re-lease only once
 * every order of a lost lease is settled, reap others' leases, release on close). It tests the
 * coordinator's guarantees across real processes, kills, freezes and partitions independently of
 * the engine. It answers a purchase only once its order is settled (like PERSISTED); it has no
 * outbox, so an order decided but not stored when it is killed is simply gone (never told).
 *
 * <p>Arguments as {@link ClusterNodeMain} (clockOffsetMinutes is ignored: no engine clock).
 */
public final class CoordinatorNodeMain {
  static final double RHO = 0.01;
  static final long DELTA_NANOS = 100_000_000L;

  private final JdbcStockCoordinator coordinator;
  private final OrderSink sink;
  private final PrintStream out;
  private final int nodeId;
  private final String sale;
  private final int chunk;
  private final long ttlMillis;
  private final long graceMillis;
  private final long localBase;
  private long nextLocal;
  // guarded by this
  private long leaseId;
  private boolean held;
  private long deadline;
  private long granted;
  private long localUsed;
  private Lease last = new Lease(0, false, 0, 0, 1, 0, 0, false);
  private final Map<Long, String[]> unsettled = new LinkedHashMap<>(); // id → req, user
  private final ArrayDeque<ConfirmedOrder> queue = new ArrayDeque<>();
  private final Map<String, Integer> localUnits = new HashMap<>();
  private final int limit;
  private boolean closing;
  private Thread leaser;

  private CoordinatorNodeMain(Map<String, String> a, PrintStream out) throws Exception {
    this.out = out;
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(a.get("url"));
    hc.setPoolName("node");
    hc.setMaximumPoolSize(4);
    hc.setMinimumIdle(1);
    hc.setConnectionTimeout(2_000);
    hc.setValidationTimeout(1_000);
    coordinator = JdbcStockCoordinator.builder(new HikariDataSource(hc))
        .dialect(Dialect.valueOf(a.get("dialect"))).ordersTable(a.get("orders"))
        .tablePrefix(a.get("prefix")).createSchemaIfMissing(true)
        .idleTransactionTimeout(Duration.ofMillis(Long.parseLong(a.get("idleMillis")))).build();
    Path data = Path.of(a.get("data"));
    Files.createDirectories(data);
    Path idFile = data.resolve("node-id");
    if (Files.exists(idFile)) {
      nodeId = Integer.parseInt(Files.readString(idFile).trim());
    } else {
      nodeId = coordinator.newNodeId();
      writeForced(idFile, Integer.toString(nodeId));
    }
    Path startsFile = data.resolve("starts");
    long starts = Files.exists(startsFile) ? Long.parseLong(Files.readString(startsFile).trim()) : 0;
    writeForced(startsFile, Long.toString(starts + 1));
    localBase = (starts + 1) << 32; // order ids never repeat across restarts of this node
    sale = a.get("sale");
    limit = Integer.parseInt(a.get("limit"));
    // Three times the engine's initial chunk: this node has no rate-based sizing, and a lease
    // that is often empty would make "cut off with orders in flight" hard to reach.
    chunk = 3 * Integer.parseInt(a.get("chunk"));
    ttlMillis = Long.parseLong(a.get("ttlMillis"));
    graceMillis = Long.parseLong(a.get("graceMillis"));
    coordinator.openSale(sale, Long.parseLong(a.get("stock")), limit);
    sink = coordinator.sink(nodeId);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = ClusterNodeMain.arguments(args);
    PrintStream out = ClusterNodeMain.driverOut();
    CoordinatorNodeMain node = new CoordinatorNodeMain(a, out);
    node.leaser = new Thread(node::leaseLoop, "leaser");
    node.leaser.setDaemon(true);
    node.leaser.start();
    Thread flusher = new Thread(node::flushLoop, "flusher");
    flusher.setDaemon(true);
    flusher.start();
    out.println("READY " + node.nodeId);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.equals("CLOSE")) {
      String[] f = line.split(" ");
      node.buy(f[1], f[2], Integer.parseInt(f[3]));
    }
    node.close();
    out.println("CLOSED");
    System.exit(0);
  }

  private synchronized void buy(String req, String user, int qty) {
    if (held && System.nanoTime() - deadline >= 0) {
      held = false; // the local deadline passed: the lease is gone as far as this node knows
    }
    if (localUnits.getOrDefault(user, 0) + qty > limit) {
      out.println("NO " + req + " LIMIT_REACHED");
      return;
    }
    if (!held) {
      out.println("NO " + req + " COORDINATOR_UNAVAILABLE");
      notifyAll();
      return;
    }
    if (localUsed + qty > granted) {
      out.println("NO " + req + (last.soldOut() ? " SOLD_OUT" : " LEASED_ELSEWHERE"));
      notifyAll(); // ask the leaser for more
      return;
    }
    localUsed += qty;
    localUnits.merge(user, qty, Integer::sum);
    long id = ((long) nodeId << 48) | (localBase + nextLocal++);
    unsettled.put(id, new String[] {req, user});
    queue.add(new ConfirmedOrder(id, sale, user, qty, Instant.now()));
    notifyAll();
  }

  private void leaseLoop() {
    long period = ttlMillis / 3;
    while (true) {
      int want;
      synchronized (this) {
        if (held && System.nanoTime() - deadline >= 0) {
          held = false;
        }
        if (closing) {
          return;
        }
        if (!held && !unsettled.isEmpty()) {
          want = -1; // orders of the lost lease first: never settle them against a new one
        } else {
          want = granted - localUsed < Math.max(1, chunk / 2) ? chunk : 0;
        }
      }
      if (want >= 0) {
        long t0 = System.nanoTime();
        try {
          Lease l = coordinator.lease(nodeId, sale, want, Duration.ofMillis(ttlMillis));
          synchronized (this) {
            last = l;
            if (l.active()) {
              if (l.leaseId() != leaseId) {
                leaseId = l.leaseId();
                localUsed = l.used();
              }
              granted = l.granted();
              deadline = t0 + (long) (ttlMillis * 1_000_000L * (1 - RHO)) - DELTA_NANOS;
              held = System.nanoTime() - deadline < 0;
            } else {
              held = false;
            }
          }
        } catch (Exception e) {
          // unreachable: the local deadline will run out
        }
      }
      try {
        coordinator.reap(Duration.ofMillis(graceMillis));
      } catch (Exception e) {
        // next time
      }
      synchronized (this) {
        try {
          wait(period); // the renewal period, or earlier when a buyer found the lease empty
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void flushLoop() {
    while (true) {
      List<ConfirmedOrder> batch = new ArrayList<>();
      synchronized (this) {
        while (queue.isEmpty()) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        while (!queue.isEmpty() && batch.size() < 50) {
          batch.add(queue.poll());
        }
      }
      List<VoidedOrder> voided;
      while (true) {
        try {
          voided = sink.storeOrVoid(batch);
          break;
        } catch (Exception e) {
          synchronized (this) {
            try {
              wait(50); // retry pacing while the database is unreachable
            } catch (InterruptedException ie) {
              return;
            }
          }
        }
      }
      Map<Long, VoidedOrder.Reason> why = new HashMap<>();
      for (VoidedOrder v : voided) {
        why.put(v.orderId(), v.reason());
      }
      synchronized (this) {
        for (ConfirmedOrder o : batch) {
          String[] ru = unsettled.remove(o.orderId());
          VoidedOrder.Reason r = why.get(o.orderId());
          if (r == null) {
            out.println("OK " + ru[0] + " " + o.orderId());
          } else {
            localUnits.merge(ru[1], -o.quantity(), Integer::sum);
            if (r == VoidedOrder.Reason.LIMIT_REACHED) {
              localUsed -= o.quantity(); // the unit goes back to this lease
              out.println("NO " + ru[0] + " LIMIT_REACHED");
            } else {
              held = false; // the lease is gone
              out.println("NO " + ru[0] + " VOIDED");
            }
          }
        }
        notifyAll();
      }
    }
  }

  private void close() throws Exception {
    synchronized (this) {
      while (!unsettled.isEmpty()) {
        wait();
      }
      closing = true;
      held = false;
      notifyAll();
    }
    leaser.join(); // no lease() call may land after the release
    coordinator.release(nodeId, sale);
    coordinator.close();
  }

  private static void writeForced(Path file, String text) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
  }
}
