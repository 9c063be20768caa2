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
import dev.seckill.SeckillEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Open-loop latency harness, in the manner of exchange-core's: a sender thread submits requests
 * on a fixed timetable (request {@code i} is due at {@code start + i / rate}) and never waits for
 * a reply; each decision's latency is measured from the request's <em>intended</em> send time to
 * the moment its listener is called, and recorded in an HdrHistogram. A sender that falls behind
 * (a GC pause, a full ring) therefore shows up as latency, not as a lower rate.
 *
 * <p>First the maximum rate is measured closed-loop (one sender, up to half a ring in flight,
 * after a discarded warm-up run of the same length);
 * then each offered rate, a fraction of it, runs on a fresh engine: a warm-up at that rate, not
 * recorded, then the measured window. Uses the allocation-free listener path and the crowd of
 * {@link Crowd}. Decisions arrive in ring order on the responder thread, which is how a callback
 * finds its request's index (checked by identity: {@code mismatches} must be 0).
 *
 * <p>Run: {@code java <Chronicle Map flags> -Xmx2g -cp seckill-bench/target/benchmarks.jar
 * dev.seckill.bench.OpenLoop --out results/openloop.csv [--idle BLOCKING,YIELDING]
 * [--storage disk,shm] [--sender park|spin] [--fractions 0.1,0.2,...] [--warmup-ms 1000] [--measure-ms 3000]
 * [--max-rate N]}
 */
public final class OpenLoop {
  /** One offered rate's result; latencies in nanoseconds. */
  public record Step(String config, double fraction, double offered, double achieved, long samples,
      long p50, long p90, long p99, long p999, long max, long confirmed, long refused,
      long overloaded, long mismatches, long lagP50, long lagP99, long lagMax) {

    static String header() {
      return "config,fraction,offered_per_s,achieved_per_s,samples,p50_us,p90_us,p99_us,p999_us,"
          + "max_us,confirmed,refused,overloaded,mismatches,send_lag_p50_us,send_lag_p99_us,"
          + "send_lag_max_us";
    }

    String csv() {
      return String.format(Locale.ROOT,
          "%s,%.2f,%.0f,%.0f,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%d,%d,%d,%d,%.1f,%.1f,%.1f",
          config, fraction, offered, achieved, samples, p50 / 1e3, p90 / 1e3, p99 / 1e3, p999 / 1e3,
          max / 1e3, confirmed, refused, overloaded, mismatches, lagP50 / 1e3, lagP99 / 1e3,
          lagMax / 1e3);
    }
  }

  /** Settings; the defaults are the published run's. */
  public static final class Options {
    public double[] fractions = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    public long warmupMillis = 1_000;
    public long measureMillis = 3_000;
    public long maxRateMillis = 2_000;
    /** 0: measure it; otherwise the rate that the fractions apply to. */
    public double maxRate;
    public List<IdleStrategy> idles = List.of(IdleStrategy.BLOCKING);
    /** Where the engine's files live: {@code disk} or {@code shm} (see {@link Engines#tempDir(String, String)}). */
    public List<String> storages = List.of("disk");
    /**
     * How the sender waits for a request's due time: false (default) parks, so on a 2-core
     * machine it does not take a core from the engine's two threads, at the price of the timer's
     * wake-up slack (tens of microseconds, counted as latency); true spins (parks only for gaps
     * above 250 us): exact send times, but one core fewer for the engine.
     */
    public boolean spin;
    /** Requests pre-built: bounds a step's request count (rate x (warm-up + measure)). */
    public int pool = 4_000_000;
    public Path out;
  }

  /** The sender parks instead of spinning when the next request is due later than this. */
  static final long PARK_ABOVE_NANOS = 250_000L;
  /** ... and wakes this long before the due time (timer slack is ~50-100 us on Linux). */
  static final long PARK_MARGIN_NANOS = 150_000L;

  private OpenLoop() {}

  public static void main(String[] args) throws IOException {
    Options o = new Options();
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--out": o.out = Path.of(v); i++; break;
        case "--warmup-ms": o.warmupMillis = Long.parseLong(v); i++; break;
        case "--measure-ms": o.measureMillis = Long.parseLong(v); i++; break;
        case "--max-rate-ms": o.maxRateMillis = Long.parseLong(v); i++; break;
        case "--max-rate": o.maxRate = Double.parseDouble(v); i++; break;
        case "--pool": o.pool = Integer.parseInt(v); i++; break;
        case "--storage": o.storages = List.of(v.split(",")); i++; break;
        case "--sender": o.spin = v.equals("spin"); i++; break;
        case "--fractions": {
          String[] f = v.split(",");
          o.fractions = new double[f.length];
          for (int k = 0; k < f.length; k++) {
            o.fractions[k] = Double.parseDouble(f[k]);
          }
          i++;
          break;
        }
        case "--idle": {
          List<IdleStrategy> idles = new ArrayList<>();
          for (String s : v.split(",")) {
            idles.add(IdleStrategy.valueOf(s));
          }
          o.idles = idles;
          i++;
          break;
        }
        default: throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    run(o);
  }

  /** Runs every idle strategy and fraction; writes the CSV if {@code out} is set. */
  public static List<Step> run(Options o) throws IOException {
    Crowd crowd = Crowd.of("bench", "u", o.pool);
    List<Step> steps = new ArrayList<>();
    List<String> summary = new ArrayList<>();
    for (String storage : o.storages) {
    for (IdleStrategy idle : o.idles) {
      String config = idle + "-" + storage;
      if (o.maxRate <= 0) {
        // JIT warm-up (Chronicle Map generates and compiles classes on first use): throw away
        measureMaxRate(idle, storage, o.maxRateMillis, crowd);
      }
      double max = o.maxRate > 0 ? o.maxRate : measureMaxRate(idle, storage, o.maxRateMillis, crowd);
      System.out.printf(Locale.ROOT, "open-loop %s: maximum rate %.0f decisions/s (closed loop)%n",
          config, max);
      double best = 0;
      for (double f : o.fractions) {
        Step s = runStep(idle, storage, o.spin, f, max * f, o.warmupMillis, o.measureMillis, crowd);
        steps.add(s);
        System.out.printf(Locale.ROOT,
            "open-loop %s %3.0f%% offered %9.0f/s achieved %9.0f/s  p50 %8.1f  p90 %8.1f  p99 %8.1f"
                + "  p99.9 %9.1f  max %9.1f us  (n=%d, overloaded=%d, mismatches=%d,"
                + " send lag p50 %.1f p99 %.1f us)%n",
            config, f * 100, s.offered, s.achieved, s.p50 / 1e3, s.p90 / 1e3, s.p99 / 1e3,
            s.p999 / 1e3, s.max / 1e3, s.samples, s.overloaded, s.mismatches, s.lagP50 / 1e3,
            s.lagP99 / 1e3);
        if (s.p99 < 1_000_000 && s.offered > best) {
          best = s.offered;
        }
      }
      String line = String.format(Locale.ROOT,
          "config=%s max_rate_per_s=%.0f highest_rate_with_p99_under_1ms_per_s=%.0f", config, max,
          best);
      System.out.println("open-loop " + line);
      summary.add(line);
    }
    }
    if (o.out != null) {
      Files.createDirectories(o.out.toAbsolutePath().getParent());
      try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(o.out))) {
        w.println(Step.header());
        for (Step s : steps) {
          w.println(s.csv());
        }
      }
      Path txt = o.out.resolveSibling(o.out.getFileName().toString().replace(".csv", "") + "-summary.txt");
      Files.write(txt, summary);
    }
    return steps;
  }

  /** Decisions per second with one sender keeping up to half a ring in flight, closed loop. */
  public static double measureMaxRate(IdleStrategy idle, String storage, long millis, Crowd crowd) {
    Path dir = Engines.tempDir("openloop-max", storage);
    SeckillEngine engine = Engines.open(dir, idle, crowd.size() + 1024L);
    try {
      engine.registerSale(Engines.hugeSale("bench"));
      AtomicLong decided = new AtomicLong();
      PurchaseListener counter = new PurchaseListener() {
        @Override
        public void onConfirmed(PurchaseRequest request, long orderId) {
          decided.incrementAndGet();
        }

        @Override
        public void onRejected(PurchaseRequest request, Rejection reason) {
          decided.incrementAndGet();
        }
      };
      int window = 8192;
      long deadline = System.nanoTime() + millis * 1_000_000L;
      // warm the path first for a fifth of the time, then count
      long warmEnd = System.nanoTime() + millis * 200_000L;
      int i = 0;
      long t0 = 0;
      long d0 = 0;
      while (i < crowd.size()) {
        long now = System.nanoTime();
        if (t0 == 0 && now >= warmEnd) {
          t0 = now;
          d0 = decided.get();
        }
        if (now >= deadline) {
          break;
        }
        if (i - decided.get() < window) {
          engine.submit(crowd.get(i++), counter);
        } else {
          LockSupport.parkNanos(20_000L); // leave the cores to the engine (2-core machines)
        }
      }
      long t1 = System.nanoTime();
      long d1 = decided.get();
      if (t0 == 0) {
        t0 = warmEnd;
      }
      return (d1 - d0) * 1e9 / Math.max(1, t1 - t0);
    } finally {
      Engines.closeAndDelete(engine, dir);
    }
  }

  /** One offered rate on a fresh engine. */
  public static Step runStep(IdleStrategy idle, String storage, boolean spin, double fraction,
      double rate, long warmupMillis, long measureMillis, Crowd crowd) {
    double intervalNs = 1e9 / rate;
    int warm = (int) Math.min(crowd.size() / 4, rate * warmupMillis / 1000.0);
    int total = (int) Math.min(crowd.size(), warm + rate * measureMillis / 1000.0);
    Path dir = Engines.tempDir("openloop", storage);
    SeckillEngine engine = Engines.open(dir, idle, crowd.size() + 1024L);
    try {
      engine.registerSale(Engines.hugeSale("bench"));
      Recorder rec = new Recorder(Thread.currentThread(), crowd, total, warm, intervalNs);
      // how late the sender itself was: a floor under every latency below (timer slack, GC)
      Histogram lag = new Histogram(60_000_000_000L, 3);
      long start = System.nanoTime() + 1_000_000L;
      rec.start = start;
      long sendEnd = 0;
      long measureStart = 0;
      for (int i = 0; i < total; i++) {
        long due = start + (long) (i * intervalNs);
        long now = System.nanoTime();
        if (spin) {
          if (due - now > PARK_ABOVE_NANOS) {
            // a long gap (low rates): give the core back, wake early, then spin to the due time
            LockSupport.parkNanos(due - now - PARK_MARGIN_NANOS);
          }
          while ((now = System.nanoTime()) < due) {
            Thread.onSpinWait();
          }
        } else {
          // park until due; requests that fell due meanwhile go out back to back on waking, each
          // still timed from its own intended time (the wake-up slack counts as latency)
          while (due - now > 0) {
            LockSupport.parkNanos(due - now);
            now = System.nanoTime();
          }
        }
        if (i == warm) {
          measureStart = now;
        }
        if (i >= warm) {
          lag.recordValue(Math.min(now - due, lag.getHighestTrackableValue()));
        }
        rec.beforeSubmit(i);
        engine.submit(crowd.get(i), rec);
        rec.afterSubmit();
      }
      sendEnd = System.nanoTime();
      long waitUntil = System.nanoTime() + 60_000_000_000L;
      while (rec.decided.get() < total) {
        if (System.nanoTime() > waitUntil) {
          throw new IllegalStateException("open loop: only " + rec.decided.get() + " of " + total
              + " decided after 60 s");
        }
        LockSupport.parkNanos(100_000L);
      }
      Histogram h = rec.responderHistogram.copy();
      h.add(rec.senderHistogram);
      long measured = total - warm;
      double achieved = measured * 1e9 / Math.max(1, sendEnd - measureStart);
      return new Step(idle.name() + "-" + storage, fraction, rate, achieved, h.getTotalCount(),
          h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
          h.getValueAtPercentile(99.9), h.getMaxValue(), rec.confirmed, rec.refusedTotal(),
          rec.overloaded, rec.mismatches, lag.getValueAtPercentile(50), lag.getValueAtPercentile(99),
          lag.getMaxValue());
    } finally {
      Engines.closeAndDelete(engine, dir);
    }
  }

  /**
   * Records each decision against its request's intended send time. Refusals made on the sender
   * thread (inside {@code submit}) are matched to the request being submitted; everything else
   * arrives on the responder thread in publication order, matched through {@code published}.
   */
  static final class Recorder implements PurchaseListener {
    final Thread sender;
    final Crowd crowd;
    final int warm;
    final double intervalNs;
    long start;
    final int[] published;
    int publishedCount; // sender only
    int current; // sender only
    boolean decidedInline; // sender only
    int responderCount; // responder only
    final Histogram responderHistogram = new Histogram(60_000_000_000L, 3);
    final Histogram senderHistogram = new Histogram(60_000_000_000L, 3);
    final AtomicLong decided = new AtomicLong();
    long confirmed; // responder only
    long refusedResponder; // responder only
    long refusedSender; // sender only
    long overloaded; // sender only (a full ring)
    long mismatches;

    Recorder(Thread sender, Crowd crowd, int total, int warm, double intervalNs) {
      this.sender = sender;
      this.crowd = crowd;
      this.warm = warm;
      this.intervalNs = intervalNs;
      this.published = new int[total];
    }

    void beforeSubmit(int i) {
      current = i;
      decidedInline = false;
      published[publishedCount] = i; // plain write, published to the responder by the ring
    }

    void afterSubmit() {
      if (!decidedInline) {
        publishedCount++;
      }
    }

    @Override
    public void onConfirmed(PurchaseRequest request, long orderId) {
      long now = System.nanoTime();
      confirmed++;
      record(request, now);
    }

    @Override
    public void onRejected(PurchaseRequest request, Rejection reason) {
      long now = System.nanoTime();
      if (Thread.currentThread() == sender) {
        refusedSender++;
        if (reason == Rejection.OVERLOADED) {
          overloaded++;
        }
      } else {
        refusedResponder++;
      }
      record(request, now);
    }

    @Override
    public void onFailed(PurchaseRequest request, Throwable cause) {
      record(request, System.nanoTime());
    }

    private void record(PurchaseRequest request, long now) {
      int idx;
      Histogram h;
      if (Thread.currentThread() == sender) {
        idx = current;
        decidedInline = true;
        h = senderHistogram;
      } else {
        idx = published[responderCount++];
        h = responderHistogram;
      }
      if (crowd.get(idx) != request) {
        mismatches++;
      }
      if (idx >= warm) {
        long intended = start + (long) (idx * intervalNs);
        h.recordValue(Math.max(0, Math.min(now - intended, h.getHighestTrackableValue())));
      }
      decided.incrementAndGet();
    }

    long refusedTotal() {
      return refusedResponder + refusedSender;
    }
  }
}
