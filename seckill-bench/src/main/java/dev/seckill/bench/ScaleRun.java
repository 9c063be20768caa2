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
package dev.seckill.bench;

import dev.seckill.IdleStrategy;
import dev.seckill.PurchaseListener;
import dev.seckill.PurchaseRequest;
import dev.seckill.Rejection;
import dev.seckill.SaleSnapshot;
import dev.seckill.SeckillEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Scale runs: an engine filled with {@code N} distinct buyers (one confirmed order each), then
 * <ul>
 *   <li>heap used after a full GC, before the engine opened and with {@code N} users in it;
 *   <li>the ledger files' on-disk size (allocated blocks, as {@code du}) and apparent size;
 *   <li>a clean reopen's time;
 *   <li>recovery after {@code kill -9}: a child JVM opens the ledger and keeps confirming new
 *       buyers; once it has decided 20,000 (fewer for small runs), it is killed with {@code destroyForcibly()} (SIGKILL)
 *       mid-write, and {@code SeckillEngine.builder()...build()} reopening the directory is timed;
 *       the reopened sale must be consistent (stock = remaining + orders).
 * </ul>
 *
 * <p>Run: {@code java <Chronicle Map flags> -Xmx1g -cp seckill-bench/target/benchmarks.jar
 * dev.seckill.bench.ScaleRun --users 1000000 --out results/scale.csv [--storage disk|shm]
 * [--no-kill]}
 */
public final class ScaleRun {
  /** One scale run's result. */
  public record Result(long users, long heapBeforeBytes, long heapAfterBytes, long allocatedBytes,
      long apparentBytes, double fillSeconds, double cleanReopenSeconds, double recoverySeconds,
      long ordersBeforeKill, long ordersAfterRecovery, boolean consistent) {

    static String header() {
      return "users,heap_before_mib,heap_with_users_mib,heap_delta_mib,ledger_allocated_mib,"
          + "ledger_apparent_mib,fill_s,fill_per_s,clean_reopen_s,kill9_recovery_s,"
          + "orders_before_kill,orders_after_recovery,consistent";
    }

    String csv() {
      double mib = 1024.0 * 1024.0;
      return String.format(Locale.ROOT, "%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.2f,%.0f,%.3f,%.3f,%d,%d,%s",
          users, heapBeforeBytes / mib, heapAfterBytes / mib, (heapAfterBytes - heapBeforeBytes) / mib,
          allocatedBytes / mib, apparentBytes / mib, fillSeconds, users / fillSeconds,
          cleanReopenSeconds, recoverySeconds, ordersBeforeKill, ordersAfterRecovery, consistent);
    }
  }

  private static final String SALE = "scale";
  private static final String READY = "SECKILL-CHILD-READY";

  private ScaleRun() {}

  public static void main(String[] args) throws Exception {
    long users = 1_000_000;
    Path out = null;
    Path childDir = null;
    boolean kill = true;
    String storage = "disk";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--users": users = Long.parseLong(args[++i]); break;
        case "--out": out = Path.of(args[++i]); break;
        case "--child": childDir = Path.of(args[++i]); break;
        case "--no-kill": kill = false; break;
        case "--storage": storage = args[++i]; break;
        default: throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (childDir != null) {
      child(childDir, users);
      return;
    }
    Result r = run(users, kill, storage);
    System.out.println(Result.header());
    System.out.println(r.csv());
    if (out != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
      boolean fresh = !Files.exists(out);
      try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND))) {
        if (fresh) {
          w.println(Result.header());
        }
        w.println(r.csv());
      }
    }
  }

  /** Capacity for {@code users} plus the child's extra buyers. */
  static long capacity(long users) {
    return users + users / 10 + 1024;
  }

  static SeckillEngine open(Path dir, long users) {
    return SeckillEngine.builder()
        .dataDir(dir)
        .shards(1)
        .idleStrategy(IdleStrategy.BLOCKING)
        .maxUsersPerShard(capacity(users))
        .outboxCapacityPerShard(capacity(users))
        .build();
  }

  /** Fills, measures, reopens, kills a writer and recovers. */
  public static Result run(long users, boolean kill, String storage) throws Exception {
    Path dir = Engines.tempDir("scale", storage);
    try {
      long heapBefore = heapAfterGc();
      SeckillEngine engine = open(dir, users);
      engine.registerSale(Engines.sale(SALE, 4 * capacity(users), 1));
      long t0 = System.nanoTime();
      long confirmed = fill(engine, "u", users, Long.MAX_VALUE);
      double fillSeconds = (System.nanoTime() - t0) / 1e9;
      if (confirmed != users) {
        throw new IllegalStateException("filled " + confirmed + " of " + users + " buyers");
      }
      long heapAfter = heapAfterGc();
      // keep the engine reachable across the measurement
      long orders = engine.snapshot(SALE).ordersConfirmed();
      engine.close();
      long[] du = du(dir);

      long t1 = System.nanoTime();
      SeckillEngine reopened = open(dir, users);
      double cleanReopen = (System.nanoTime() - t1) / 1e9;
      reopened.close();

      double recovery = Double.NaN;
      long before = orders;
      long after = orders;
      boolean consistent = true;
      if (kill) {
        before = killChild(dir, users);
        long t2 = System.nanoTime();
        SeckillEngine recovered = open(dir, users);
        recovery = (System.nanoTime() - t2) / 1e9;
        SaleSnapshot s = recovered.snapshot(SALE);
        after = s.ordersConfirmed();
        consistent = s.remaining() + s.unitsSold() == s.sale().stock()
            && s.unitsSold() == after && after >= before;
        recovered.close();
      }
      return new Result(users, heapBefore, heapAfter, du[0], du[1], fillSeconds, cleanReopen,
          recovery, before, after, consistent);
    } finally {
      Engines.deleteTree(dir);
    }
  }

  /**
   * Submits {@code count} new buyers ({@code prefix + n}) with up to 8192 in flight; returns the
   * number confirmed. Calls {@code progress} after {@code readyAfter} decisions.
   */
  static long fill(SeckillEngine engine, String prefix, long count, long readyAfter) {
    AtomicLong decided = new AtomicLong();
    AtomicLong confirmed = new AtomicLong();
    PurchaseListener l = new PurchaseListener() {
      @Override
      public void onConfirmed(PurchaseRequest request, long orderId) {
        confirmed.incrementAndGet();
        decided.incrementAndGet();
      }

      @Override
      public void onRejected(PurchaseRequest request, Rejection reason) {
        decided.incrementAndGet();
      }
    };
    boolean announced = false;
    for (long i = 0; i < count; i++) {
      while (i - decided.get() >= 8192) {
        LockSupport.parkNanos(20_000L); // leave the cores to the engine's threads
      }
      engine.submit(PurchaseRequest.of(SALE, prefix + i, 1), l);
      if (!announced && decided.get() >= readyAfter) {
        System.out.println(READY);
        System.out.flush();
        announced = true;
      }
    }
    while (decided.get() < count) {
      if (!announced && decided.get() >= readyAfter) {
        System.out.println(READY);
        System.out.flush();
        announced = true;
      }
      LockSupport.parkNanos(20_000L);
    }
    if (!announced && readyAfter > 0) {
      // Everything was decided between the last check above and the loop's exit.
      System.out.println(READY);
      System.out.flush();
    }
    return confirmed.get();
  }

  /** The child: reopen and confirm new buyers until killed. */
  static void child(Path dir, long users) {
    SeckillEngine engine = open(dir, users);
    fill(engine, "k", capacity(users) - users - 1, readyAfter(users));
    // Never close: the parent kills this JVM, so the next open is always an unclean one, even
    // when this machine was fast enough to finish filling before the kill arrived.
    System.out.println("SECKILL-CHILD-FINISHED-UNKILLED");
    System.out.flush();
    while (true) {
      LockSupport.park();
    }
  }

  /** Decisions the child makes before it announces itself ready to be killed. */
  static long readyAfter(long users) {
    return Math.min(20_000, users / 40);
  }

  /** Starts the child, kills it once it has decided its first buyers; returns orders seen then. */
  static long killChild(Path dir, long users) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Jvm.FLAGS);
    cmd.add("-Xmx512m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ScaleRun.class.getName());
    cmd.add("--child");
    cmd.add(dir.toString());
    cmd.add("--users");
    cmd.add(Long.toString(users));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    boolean ready = false;
    java.util.ArrayDeque<String> tail = new java.util.ArrayDeque<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.contains(READY)) {
          ready = true;
          p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no clean close
          break;
        }
        tail.addLast(line);
        if (tail.size() > 30) {
          tail.removeFirst();
        }
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    if (!ready) {
      throw new IllegalStateException("the child JVM exited (" + p.exitValue()
          + ") before deciding its first buyers; its last output:\n" + String.join("\n", tail));
    }
    return users + readyAfter(users); // a lower bound: it had decided at least this many
  }

  static long heapAfterGc() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return mem.getHeapMemoryUsage().getUsed();
  }

  /** {allocated bytes, apparent bytes} of a directory tree, from {@code du}. */
  static long[] du(Path dir) throws IOException, InterruptedException {
    return new long[] {duBytes(dir, "--block-size=1"), duBytes(dir, "--apparent-size", "--block-size=1")};
  }

  private static long duBytes(Path dir, String... opts) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("du");
    cmd.add("-s");
    cmd.addAll(List.of(opts));
    cmd.add(dir.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      return -1;
    }
    return Long.parseLong(out.split("\\s+")[0]);
  }
}
