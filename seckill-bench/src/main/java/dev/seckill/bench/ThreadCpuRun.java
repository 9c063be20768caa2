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
import dev.seckill.SeckillEngine;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What each of a shard's threads costs in CPU, per {@link IdleStrategy}: one shard, a steady load
 * from caller threads (the listener path, {@value #BATCH} requests in flight per caller), then
 * the same engine idle. CPU time per thread comes from {@link ThreadMXBean}, divided by the wall
 * time of the phase: 1.0 is a whole core.
 *
 * <pre>
 * java $FLAGS -cp benchmarks.jar dev.seckill.bench.ThreadCpuRun [seconds] [callers] [STRATEGY...]
 * </pre>
 */
public final class ThreadCpuRun {
  static final int BATCH = 64;

  private ThreadCpuRun() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int callers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    List<IdleStrategy> idles = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      idles.add(IdleStrategy.valueOf(args[i]));
    }
    if (idles.isEmpty()) {
      idles.add(IdleStrategy.BLOCKING);
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    mx.setThreadCpuTimeEnabled(true);
    System.out.printf("strategy,phase,seconds,decisions_per_s,thread,cpu_cores,"
        + "allocated_bytes_per_decision%n");
    for (IdleStrategy idle : idles) {
      run(mx, idle, seconds, callers);
    }
  }

  private static void run(ThreadMXBean mx, IdleStrategy idle, int seconds, int callers)
      throws Exception {
    Path dir = Engines.tempDir("threadcpu");
    SeckillEngine engine = Engines.open(dir, idle, 1L << 23);
    try {
      engine.registerSale(Engines.hugeSale("bench"));
      AtomicLong decided = new AtomicLong();
      boolean[] stop = new boolean[1];
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        Crowd crowd = Crowd.distinct("bench", "c" + c + "-", 1 << 21);
        Thread t = new Thread(() -> {
          BatchListener l = new BatchListener();
          while (!stopped(stop)) {
            l.reset();
            l.begin(BATCH);
            for (int i = 0; i < BATCH; i++) {
              engine.submit(crowd.next(), l);
            }
            l.await();
            decided.addAndGet(BATCH);
          }
        }, "caller-" + c);
        threads.add(t);
        t.start();
      }
      // warm-up, then the loaded phase
      LockSupport.parkNanos(2_000_000_000L);
      phase(mx, idle, "load", seconds, decided);
      synchronized (stop) {
        stop[0] = true;
      }
      for (Thread t : threads) {
        t.join();
      }
      engine.flush().join();
      LockSupport.parkNanos(500_000_000L); // let the last batch drain
      phase(mx, idle, "idle", seconds, decided);
    } finally {
      Engines.closeAndDelete(engine, dir);
    }
  }

  private static boolean stopped(boolean[] stop) {
    synchronized (stop) {
      return stop[0];
    }
  }

  private static void phase(ThreadMXBean mx, IdleStrategy idle, String name, int seconds,
      AtomicLong decided) {
    Map<Long, String> names = new LinkedHashMap<>();
    Map<Long, Long> before = new LinkedHashMap<>();
    Map<Long, Long> allocatedBefore = new LinkedHashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("seckill-") || t.getName().startsWith("caller-")) {
        names.put(t.getId(), t.getName());
        before.put(t.getId(), mx.getThreadCpuTime(t.getId()));
        allocatedBefore.put(t.getId(), allocated(mx, t.getId()));
      }
    }
    long d0 = decided.get();
    long t0 = System.nanoTime();
    LockSupport.parkNanos(seconds * 1_000_000_000L);
    long wall = System.nanoTime() - t0;
    long d1 = decided.get();
    double rate = (d1 - d0) * 1e9 / wall;
    for (Map.Entry<Long, String> e : names.entrySet()) {
      long after = mx.getThreadCpuTime(e.getKey());
      if (after < 0) {
        continue; // ended
      }
      double cores = (after - before.get(e.getKey())) / (double) wall;
      long bytes = allocated(mx, e.getKey()) - allocatedBefore.get(e.getKey());
      System.out.printf("%s,%s,%d,%.0f,%s,%.3f,%s%n", idle, name, seconds, rate, e.getValue(), cores,
          d1 == d0 ? "-" : String.format("%.2f", bytes / (double) (d1 - d0)));
    }
  }

  /** Bytes allocated by thread {@code id} so far, -1 if the JVM does not tell. */
  private static long allocated(ThreadMXBean mx, long id) {
    return mx instanceof com.sun.management.ThreadMXBean
        ? ((com.sun.management.ThreadMXBean) mx).getThreadAllocatedBytes(id) : -1;
  }
}
