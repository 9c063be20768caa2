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
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The crowd test of issue #11: a flash sale of {@code --units} units (one per request, a limit of
 * {@code --limit} per user, 1 by default) met by {@code --requests} requests from {@code --users}
 * users on {@code --threads} caller threads, against one engine and, in the same JVM and run,
 * against the in-heap {@code synchronized} baseline ({@link InHeapStore.Synchronized}) with the
 * same requests, so the two can be quoted as a ratio.
 *
 * <h2>The crowd</h2>
 * Built before the clock starts, so the measured loop allocates nothing of its own: every user
 * sends {@code requests / users} requests (the first {@code requests % users} users one more),
 * each a separate {@link PurchaseRequest} with its own copy of the user id String, as a server
 * would parse it. Users are split over the caller threads by {@code user % threads} (two threads
 * never share a user), and each thread's requests are shuffled with a seeded random permutation,
 * so a user's attempts arrive far apart (on average a third of the thread's requests apart with
 * two each; a few land close together, as double-clicks do, and are counted). With the defaults
 * the first attempts of the first million users buy the stock; a user's second attempt is
 * {@code LIMIT_REACHED} if the first bought, {@code SOLD_OUT} otherwise.
 *
 * <h2>The engine side</h2>
 * One engine ({@code --shards}, 1 by default; one sale lives on one shard, so more shards do not
 * split this crowd), embedded defaults except the bounds the sale needs: a buyer is recorded only
 * when confirmed and, with no {@code OrderSink}, every confirmed order stays in the outbox, so
 * {@code maxUsersPerShard} and {@code outboxCapacityPerShard} follow the stock (units plus 10%,
 * {@code --max-users} / {@code --outbox} to change). Durability and idle strategy are the
 * defaults ({@code --idle} to change the latter). Callers use the allocation-free listener path
 * {@code submit(request, listener)} with at most {@code --window} requests in flight per thread
 * (the caller parks while its window is full); a request refused {@code OVERLOADED} on the
 * caller's thread (a full ring) is submitted again after a short park, and those retries are
 * counted. So the run measures decided requests, not enqueued ones.
 *
 * <h2>What is measured</h2>
 * From the first submit: the moment the last unit is confirmed (sold out: the responder's
 * listener call that brings confirmations to {@code units}), and the moment every request is
 * decided (each caller waits for its last decision); requests decided per second over the whole
 * crowd; the count per outcome; decisions made on the caller's thread; ring-full retries and
 * window waits; CPU (cores) and heap allocation (bytes per request) of the engine's threads, the
 * callers and the JVM's other threads. Then the invariants, checked for both the engine and the baseline, failing the
 * run loudly if one breaks: every listener called exactly once per request (no request missing,
 * none twice), confirmed units = units when the demand exceeds the stock (otherwise = the
 * demand), no user above the limit, order ids unique and positive, only CONFIRMED /
 * LIMIT_REACHED / SOLD_OUT as outcomes, and the engine's {@link SaleSnapshot} agreeing.
 *
 * <h2>Order of a run</h2>
 * A warm-up crowd ({@code --warmup} of every size, 0.1 by default) on its own engine and data
 * directory and its own baseline store, for the JIT; then the measured crowd is built and the
 * engine run, then the baseline. Data directories are deleted afterwards. A CSV row per subject
 * is appended to {@code --out}, with the load average before and after.
 *
 * <h2>Heap</h2>
 * The crowd costs about 96 bytes per request, measured (a 40-byte request, a 48-byte user id
 * String, a reference, a user index and an outcome byte): 20M requests take about 1.9 GiB, and the
 * run prints the heap used once the crowd is built. {@code -Xmx6g} leaves G1 room for the baseline's maps
 * and the warm-up's garbage. The engine's maps and journal are memory-mapped, outside the heap.
 *
 * <p>Run (the Chronicle Map flags are the parent pom's {@code seckill.jvm.flags}, see
 * {@link Jvm}):
 * <pre>
 * java --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
 *   --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \
 *   --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
 *   --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
 *   -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true \
 *   -Xmx6g -cp seckill-bench/target/benchmarks.jar dev.seckill.bench.CrowdRun \
 *   --units 1000000 --users 10000000 --requests 20000000 --threads 2 --out results/crowd.csv \
 *   [--storage disk|shm] [--shards 1] [--limit 1] [--window 4096] [--warmup 0.1] [--seed 42] \
 *   [--idle BLOCKING] [--max-users N] [--outbox N] [--no-baseline]
 * </pre>
 */
public final class CrowdRun {
  static final String SALE = "crowd";

  /** Outcome codes, one byte per request: 0 undecided, then these. */
  static final byte UNDECIDED = 0;
  static final byte CONFIRMED = 1;
  static final byte FAILED = 127;
  private static final Rejection[] REJECTIONS = Rejection.values();

  /** A caller's park while its window is full or the ring refused it (~60 us with timer slack). */
  static final long PARK_NANOS = 10_000L;

  private CrowdRun() {}

  /** The run's settings; public fields, defaults of issue #11. */
  public static final class Options {
    public long units = 1_000_000;
    public int users = 10_000_000;
    public long requests = 20_000_000;
    public int threads = 2;
    public int shards = 1;
    public int limit = 1;
    public int window = 4096;
    public String storage = "disk";
    public IdleStrategy idle = SeckillEngine.Builder.DEFAULT_IDLE_STRATEGY;
    public double warmup = 0.1;
    public long seed = 42;
    public long maxUsers = -1;
    public long outbox = -1;
    public boolean baseline = true;
    public Path out;

    /** The same crowd scaled by {@code f} (at least one of everything), for the warm-up. */
    Options scaled(double f) {
      Options o = new Options();
      o.units = Math.max(1, (long) (units * f));
      o.users = Math.max(threads, (int) (users * f));
      o.requests = Math.max(o.users, (long) (requests * f));
      o.threads = threads;
      o.shards = shards;
      o.limit = limit;
      o.window = window;
      o.storage = storage;
      o.idle = idle;
      o.seed = seed + 1;
      o.baseline = baseline;
      return o;
    }

    /** Bound for buyers and unflushed orders: the stock plus 10% (a buyer buys at least one unit). */
    long bound(long set) {
      return set > 0 ? set : Math.max(1024, units + units / 10 + 1024);
    }
  }

  /** One subject's result on one crowd. */
  public record Result(String subject, Options o, double soldOutSeconds, double allDecidedSeconds,
      long decided, long confirmed, long limitReached, long soldOut, long other,
      long decidedOnCaller, long ringFullRetries, long windowWaits, long outOfOrder,
      String loadBefore, String loadAfter, String threadCores, String allocPerRequest) {

    public double requestsPerSecond() {
      return decided / allDecidedSeconds;
    }

    static String header() {
      return "subject,storage,shards,threads,idle,units,users,requests,limit,window,sold_out_s,"
          + "all_decided_s,requests_per_s,confirmed,limit_reached,sold_out,other,"
          + "decided_on_caller,ring_full_retries,window_waits,out_of_order,load_before,load_after,"
          + "rate_vs_baseline,thread_cores,alloc_bytes_per_request";
    }

    String csv(double vsBaseline) {
      return String.format(Locale.ROOT,
          "%s,%s,%d,%d,%s,%d,%d,%d,%d,%d,%.4f,%.4f,%.0f,%d,%d,%d,%d,%d,%d,%d,%d,%s,%s,%s,%s,%s",
          subject, o.storage, o.shards, o.threads, o.idle, o.units, o.users, o.requests, o.limit,
          o.window, soldOutSeconds, allDecidedSeconds, requestsPerSecond(), confirmed,
          limitReached, soldOut, other, decidedOnCaller, ringFullRetries, windowWaits, outOfOrder,
          loadBefore, loadAfter,
          Double.isNaN(vsBaseline) ? "" : String.format(Locale.ROOT, "%.3f", vsBaseline),
          threadCores, allocPerRequest);
    }

    String text() {
      return String.format(Locale.ROOT,
          "%-12s sold out %s, all decided in %.3f s: %,.0f requests/s; confirmed %,d, "
              + "LIMIT_REACHED %,d, SOLD_OUT %,d, other %,d; decided on the caller %,d; "
              + "ring-full retries %,d, window waits %,d; load %s -> %s; cores %s; "
              + "bytes allocated per request %s",
          subject, Double.isNaN(soldOutSeconds) ? "never" : String.format(Locale.ROOT,
              "in %.3f s", soldOutSeconds), allDecidedSeconds, requestsPerSecond(), confirmed,
          limitReached, soldOut, other, decidedOnCaller, ringFullRetries, windowWaits, loadBefore,
          loadAfter, threadCores, allocPerRequest);
    }
  }

  /** The pre-built crowd: per caller thread, its requests in arrival order and their users. */
  static final class Arrivals {
    final Options o;
    final PurchaseRequest[][] requests;
    final int[][] userOf;
    /** Repeat attempts less than one window after the user's previous one (double-clicks). */
    final long closeRepeats;

    private Arrivals(Options o, PurchaseRequest[][] requests, int[][] userOf, long closeRepeats) {
      this.o = o;
      this.requests = requests;
      this.userOf = userOf;
      this.closeRepeats = closeRepeats;
    }

    /** Attempts of user {@code u}. */
    static int attempts(Options o, int u) {
      return (int) (o.requests / o.users) + (u < o.requests % o.users ? 1 : 0);
    }

    /** Units the crowd wants in total: each user up to the limit. */
    long demand() {
      long d = 0;
      for (int u = 0; u < o.users; u++) {
        d += Math.min(attempts(o, u), o.limit);
      }
      return d;
    }

    static Arrivals build(Options o) {
      if (o.requests < o.users) {
        throw new IllegalArgumentException("--requests must be at least --users");
      }
      PurchaseRequest[][] requests = new PurchaseRequest[o.threads][];
      int[][] userOf = new int[o.threads][];
      int[] lastSeen = new int[o.users];
      long close = 0;
      for (int t = 0; t < o.threads; t++) {
        long n = 0;
        for (int u = t; u < o.users; u += o.threads) {
          n += attempts(o, u);
        }
        if (n > Integer.MAX_VALUE - 8) {
          throw new IllegalArgumentException("too many requests per thread: " + n);
        }
        int[] users = new int[(int) n];
        int k = 0;
        for (int u = t; u < o.users; u += o.threads) {
          for (int a = attempts(o, u); a > 0; a--) {
            users[k++] = u;
          }
        }
        SplittableRandom rnd = new SplittableRandom(o.seed * 31 + t);
        for (int i = users.length - 1; i > 0; i--) { // Fisher-Yates
          int j = rnd.nextInt(i + 1);
          int x = users[i];
          users[i] = users[j];
          users[j] = x;
        }
        PurchaseRequest[] rs = new PurchaseRequest[users.length];
        Arrays.fill(lastSeen, -1);
        for (int i = 0; i < users.length; i++) {
          int u = users[i];
          // A fresh String per request (userId builds one), as a server parses one per request.
          rs[i] = PurchaseRequest.of(SALE, userId(u), 1);
          if (lastSeen[u] >= 0 && i - lastSeen[u] < o.window) {
            close++;
          }
          lastSeen[u] = i;
        }
        requests[t] = rs;
        userOf[t] = users;
      }
      return new Arrivals(o, requests, userOf, close);
    }

    static String userId(int u) {
      return "u" + u;
    }
  }

  /** What every subject's callers share: the confirmed count and the sold-out moment. */
  static final class Shared {
    final long units;
    final AtomicLong confirmed = new AtomicLong();
    volatile long soldOutAt;

    Shared(long units) {
      this.units = units;
    }
  }

  /**
   * One caller thread against the engine, and its listener. Caller-side fields are written only
   * by the caller thread (including inline callbacks, which run on it); responder-side fields
   * only by the shard's responder thread; {@link #decided} is the ordered hand-over between them.
   * The responder finds a callback's request by identity at its cursor (decisions arrive in ring
   * order, so per caller in submission order), skipping requests decided on the caller's thread,
   * whose outcome bytes the caller wrote before publishing any later request; a request not at the
   * cursor is searched for and counted in {@code outOfOrder}.
   */
  static final class EngineCaller implements PurchaseListener, Runnable {
    private static final VarHandle DECIDED;

    static {
      try {
        DECIDED = MethodHandles.lookup().findVarHandle(EngineCaller.class, "decided", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final SeckillEngine engine;
    final PurchaseRequest[] requests;
    final byte[] outcome;
    final long[] ids;
    final Shared shared;
    final int window;
    final CountDownLatch start;
    volatile Thread owner;
    final AtomicReference<Throwable> error = new AtomicReference<>();

    // caller side
    int current;
    boolean decidedInline;
    boolean ringFull;
    long inRing;
    long onCaller;
    long ringFullRetries;
    long windowWaits;
    long startNanos;
    long endNanos;
    /** {CPU nanoseconds, bytes allocated} by this caller thread over the measured loop. */
    final long[] used = new long[2];

    // responder side
    int cursor;
    int idCount;
    long outOfOrder;
    long unknown;
    /** Requests whose listener was called twice: from either thread, so atomic. */
    final AtomicLong duplicates = new AtomicLong();
    Thread responder;
    @SuppressWarnings("unused") // through DECIDED
    private volatile long decided;

    EngineCaller(SeckillEngine engine, PurchaseRequest[] requests, Shared shared, int window,
        CountDownLatch start) {
      this.engine = engine;
      this.requests = requests;
      this.outcome = new byte[requests.length];
      this.ids = new long[(int) Math.min(requests.length, shared.units + 1)];
      this.shared = shared;
      this.window = window;
      this.start = start;
    }

    @Override
    public void run() {
      owner = Thread.currentThread();
      try {
        start.await();
        long[] use0 = ThreadCpu.mine();
        startNanos = System.nanoTime();
        PurchaseRequest[] rs = requests;
        long seen = 0;
        for (int i = 0; i < rs.length; i++) {
          if (inRing - seen >= window) {
            seen = (long) DECIDED.getAcquire(this);
            while (inRing - seen >= window) {
              windowWaits++;
              LockSupport.parkNanos(PARK_NANOS);
              seen = (long) DECIDED.getAcquire(this);
            }
          }
          current = i;
          PurchaseRequest r = rs[i];
          while (true) {
            decidedInline = false;
            ringFull = false;
            engine.submit(r, this);
            if (!ringFull) {
              break;
            }
            ringFullRetries++;
            LockSupport.parkNanos(PARK_NANOS);
          }
          if (decidedInline) {
            onCaller++;
          } else {
            inRing++;
          }
        }
        for (int spins = 0; (long) DECIDED.getAcquire(this) < inRing; spins++) {
          if (spins < 1000) {
            Thread.onSpinWait();
          } else {
            Thread.yield();
          }
        }
        endNanos = System.nanoTime();
        long[] use1 = ThreadCpu.mine();
        used[0] = use1[0] - use0[0];
        used[1] = use1[1] - use0[1];
      } catch (Throwable t) {
        error.set(t);
      }
    }

    @Override
    public void onConfirmed(PurchaseRequest request, long orderId) {
      if (Thread.currentThread() == owner) {
        inline(CONFIRMED);
        return;
      }
      int i = find(request);
      if (i >= 0) {
        mark(i, CONFIRMED);
      }
      if (idCount < ids.length) {
        ids[idCount++] = orderId;
      }
      if (shared.confirmed.incrementAndGet() == shared.units) {
        shared.soldOutAt = System.nanoTime();
      }
      delivered();
    }

    @Override
    public void onRejected(PurchaseRequest request, Rejection reason) {
      if (Thread.currentThread() == owner) {
        if (reason == Rejection.OVERLOADED) {
          ringFull = true; // a full ring: the caller parks and submits again
        } else {
          inline(code(reason));
        }
        return;
      }
      int i = find(request);
      if (i >= 0) {
        mark(i, code(reason));
      }
      delivered();
    }

    @Override
    public void onFailed(PurchaseRequest request, Throwable cause) {
      error.compareAndSet(null, cause);
      if (Thread.currentThread() == owner) {
        inline(FAILED);
        return;
      }
      int i = find(request);
      if (i >= 0) {
        mark(i, FAILED);
      }
      delivered();
    }

    private void inline(byte code) {
      decidedInline = true;
      mark(current, code);
    }

    private void mark(int i, byte code) {
      if (outcome[i] != UNDECIDED) {
        duplicates.incrementAndGet();
      }
      outcome[i] = code;
    }

    private void delivered() {
      DECIDED.setRelease(this, (long) DECIDED.getOpaque(this) + 1); // ordered store; one writer
    }

    /** The index of {@code request}; responder thread only. */
    private int find(PurchaseRequest request) {
      Thread me = Thread.currentThread();
      if (responder == null) {
        responder = me;
      } else if (responder != me) {
        unknown++; // a second responder thread would break the single-writer counters
      }
      PurchaseRequest[] rs = requests;
      int i = cursor;
      while (i < rs.length && outcome[i] != UNDECIDED) {
        i++; // decided on the caller's thread, or delivered out of order earlier
      }
      cursor = i;
      if (i < rs.length && rs[i] == request) {
        cursor = i + 1;
        return i;
      }
      outOfOrder++;
      for (int j = i + 1; j < rs.length; j++) {
        if (rs[j] == request) {
          return j;
        }
      }
      unknown++;
      return -1;
    }
  }

  static byte code(Rejection reason) {
    return (byte) (2 + reason.ordinal());
  }

  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    List<Result> results = run(o);
    double engineRate = Double.NaN;
    double baselineRate = Double.NaN;
    for (Result r : results) {
      if (r.subject().equals("engine")) {
        engineRate = r.requestsPerSecond();
      } else {
        baselineRate = r.requestsPerSecond();
      }
    }
    System.out.println(Result.header());
    List<String> rows = new ArrayList<>();
    for (Result r : results) {
      String row = r.csv(r.subject().equals("engine") ? engineRate / baselineRate : Double.NaN);
      rows.add(row);
      System.out.println(row);
    }
    if (o.out != null) {
      Path parent = o.out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      boolean fresh = !Files.exists(o.out);
      try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(o.out, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
        if (fresh) {
          w.println(Result.header());
        }
        rows.forEach(w::println);
      }
    }
  }

  static Options parse(String[] args) {
    Options o = new Options();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--units": o.units = Long.parseLong(args[++i]); break;
        case "--users": o.users = Integer.parseInt(args[++i]); break;
        case "--requests": o.requests = Long.parseLong(args[++i]); break;
        case "--threads": o.threads = Integer.parseInt(args[++i]); break;
        case "--shards": o.shards = Integer.parseInt(args[++i]); break;
        case "--limit": o.limit = Integer.parseInt(args[++i]); break;
        case "--window": o.window = Integer.parseInt(args[++i]); break;
        case "--storage": o.storage = args[++i]; break;
        case "--idle": o.idle = IdleStrategy.valueOf(args[++i]); break;
        case "--warmup": o.warmup = Double.parseDouble(args[++i]); break;
        case "--seed": o.seed = Long.parseLong(args[++i]); break;
        case "--max-users": o.maxUsers = Long.parseLong(args[++i]); break;
        case "--outbox": o.outbox = Long.parseLong(args[++i]); break;
        case "--no-baseline": o.baseline = false; break;
        case "--out": o.out = Path.of(args[++i]); break;
        default: throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (!o.storage.equals("disk") && !o.storage.equals("shm")) {
      throw new IllegalArgumentException("--storage is disk or shm, was " + o.storage);
    }
    if (o.threads < 1 || o.units < 1 || o.users < 1 || o.window < 1 || o.limit < 1) {
      throw new IllegalArgumentException("sizes must be positive");
    }
    return o;
  }

  /** Warm-up, then the measured crowd: the engine's result, then the baseline's (if on). */
  public static List<Result> run(Options o) throws Exception {
    if (o.warmup > 0) {
      Options w = o.scaled(o.warmup);
      System.out.printf(Locale.ROOT, "warm-up: %,d units, %,d users, %,d requests%n", w.units,
          w.users, w.requests);
      Arrivals crowd = Arrivals.build(w);
      System.out.println("  " + runEngine(crowd).text());
      if (o.baseline) {
        System.out.println("  " + runBaseline(crowd).text());
      }
    }
    long maxHeap = Runtime.getRuntime().maxMemory();
    if (o.requests * 100 > maxHeap * 0.7) {
      System.out.printf(Locale.ROOT, "warning: %,d requests take about %,d MiB of heap; -Xmx is "
          + "%,d MiB%n", o.requests, o.requests * 100 >> 20, maxHeap >> 20);
    }
    long heapBefore = ScaleRun.heapAfterGc();
    long t = System.nanoTime();
    Arrivals crowd = Arrivals.build(o);
    double buildSeconds = (System.nanoTime() - t) / 1e9;
    long heapWith = ScaleRun.heapAfterGc();
    System.out.printf(Locale.ROOT, "crowd: %,d units, %,d users, %,d requests on %d threads, "
            + "limit %d, window %d; built in %.1f s; heap %,d MiB with the crowd (+%,d), max "
            + "%,d MiB; %,d repeat attempts within a window of the user's previous one%n",
        o.units, o.users, o.requests, o.threads, o.limit, o.window, buildSeconds, heapWith >> 20,
        (heapWith - heapBefore) >> 20, maxHeap >> 20, crowd.closeRepeats);
    List<Result> results = new ArrayList<>();
    Result engine = runEngine(crowd);
    System.out.println(engine.text());
    results.add(engine);
    if (o.baseline) {
      ScaleRun.heapAfterGc();
      Result baseline = runBaseline(crowd);
      System.out.println(baseline.text());
      results.add(baseline);
      System.out.printf(Locale.ROOT, "engine / synchronized baseline: %.3f x requests/s, "
              + "sold out %.2f x as long%n", engine.requestsPerSecond()
              / baseline.requestsPerSecond(), engine.soldOutSeconds() / baseline.soldOutSeconds());
    }
    return results;
  }

  static SeckillEngine open(Path dir, Options o) {
    return SeckillEngine.builder()
        .dataDir(dir)
        .shards(o.shards)
        .idleStrategy(o.idle)
        .maxUsersPerShard(o.bound(o.maxUsers))
        .outboxCapacityPerShard(o.bound(o.outbox))
        .build();
  }

  /** The crowd against a fresh engine in a fresh directory, deleted afterwards. */
  static Result runEngine(Arrivals crowd) throws Exception {
    Options o = crowd.o;
    Path dir = Engines.tempDir("crowd", o.storage);
    SeckillEngine engine = null;
    try {
      engine = open(dir, o);
      engine.registerSale(Engines.sale(SALE, o.units, o.limit));
      Shared shared = new Shared(o.units);
      CountDownLatch start = new CountDownLatch(1);
      EngineCaller[] callers = new EngineCaller[o.threads];
      Thread[] threads = new Thread[o.threads];
      for (int t = 0; t < o.threads; t++) {
        callers[t] = new EngineCaller(engine, crowd.requests[t], shared, o.window, start);
        threads[t] = new Thread(callers[t], "crowd-caller-" + t);
        threads[t].start();
      }
      String loadBefore = loadAverage();
      ThreadCpu cpu = ThreadCpu.start();
      start.countDown();
      for (Thread th : threads) {
        th.join();
      }
      long[] callerUse = new long[2];
      for (EngineCaller c : callers) {
        callerUse[0] += c.used[0];
        callerUse[1] += c.used[1];
      }
      String[] threadUse = cpu.stop(callerUse, o.requests);
      String loadAfter = loadAverage();
      long t0 = Long.MAX_VALUE;
      long t1 = Long.MIN_VALUE;
      long onCaller = 0;
      long retries = 0;
      long waits = 0;
      long outOfOrder = 0;
      long duplicates = 0;
      long unknown = 0;
      List<long[]> ids = new ArrayList<>();
      List<byte[]> outcomes = new ArrayList<>();
      for (EngineCaller c : callers) {
        Throwable e = c.error.get();
        if (e != null) {
          throw new IllegalStateException("engine caller failed", e);
        }
        t0 = Math.min(t0, c.startNanos);
        t1 = Math.max(t1, c.endNanos);
        onCaller += c.onCaller;
        retries += c.ringFullRetries;
        waits += c.windowWaits;
        outOfOrder += c.outOfOrder;
        duplicates += c.duplicates.get();
        unknown += c.unknown;
        ids.add(Arrays.copyOf(c.ids, c.idCount));
        outcomes.add(c.outcome);
      }
      if (duplicates != 0 || unknown != 0) {
        throw new IllegalStateException("listener called twice for " + duplicates
            + " requests, for " + unknown + " requests not found (or from a second responder)");
      }
      long soldOutAt = shared.soldOutAt;
      Result r = check("engine", crowd, outcomes, ids, t0, t1, soldOutAt, onCaller, retries,
          waits, outOfOrder, loadBefore, loadAfter, threadUse);
      SaleSnapshot s = engine.snapshot(SALE);
      if (s.unitsSold() != r.confirmed() || s.remaining() != o.units - r.confirmed()
          || s.ordersConfirmed() != r.confirmed()) {
        throw new IllegalStateException("engine snapshot disagrees with the listeners: " + s
            + ", listeners confirmed " + r.confirmed());
      }
      return r;
    } finally {
      Engines.closeAndDelete(engine, dir);
    }
  }

  /** The crowd against a fresh {@code synchronized} in-heap store, on as many threads. */
  static Result runBaseline(Arrivals crowd) throws Exception {
    Options o = crowd.o;
    int capacity = (int) Math.min(Integer.MAX_VALUE - 8, o.units + 1);
    InHeapStore store = InHeapStore.create("synchronized", o.units, o.limit, capacity);
    CountDownLatch start = new CountDownLatch(1);
    int n = o.threads;
    byte[][] outcome = new byte[n][];
    long[][] ids = new long[n][];
    int[] idCount = new int[n];
    long[] starts = new long[n];
    long[] ends = new long[n];
    long[] soldOutAt = new long[n];
    long[][] used = new long[n][];
    AtomicReference<Throwable> error = new AtomicReference<>();
    Thread[] threads = new Thread[n];
    for (int t = 0; t < n; t++) {
      final int me = t;
      outcome[t] = new byte[crowd.requests[t].length];
      ids[t] = new long[(int) Math.min(crowd.requests[t].length, o.units + 1)];
      threads[t] = new Thread(() -> {
        try {
          PurchaseRequest[] rs = crowd.requests[me];
          byte[] out = outcome[me];
          long[] myIds = ids[me];
          int count = 0;
          long units = o.units;
          start.await();
          long[] use0 = ThreadCpu.mine();
          starts[me] = System.nanoTime();
          for (int i = 0; i < rs.length; i++) {
            PurchaseRequest r = rs[i];
            long d = store.decide(r.userId(), r.quantity());
            if (d > 0) {
              out[i] = CONFIRMED;
              if (count < myIds.length) {
                myIds[count++] = d;
              }
              if (d == units) { // the store numbers orders 1, 2, ...: this one took the last unit
                soldOutAt[me] = System.nanoTime();
              }
            } else {
              out[i] = code(REJECTIONS[(int) (-1 - d)]);
            }
          }
          ends[me] = System.nanoTime();
          long[] use1 = ThreadCpu.mine();
          used[me] = new long[] {use1[0] - use0[0], use1[1] - use0[1]};
          idCount[me] = count;
        } catch (Throwable e) {
          error.set(e);
        }
      }, "crowd-baseline-" + t);
      threads[t].start();
    }
    String loadBefore = loadAverage();
    ThreadCpu cpu = ThreadCpu.start();
    start.countDown();
    for (Thread th : threads) {
      th.join();
    }
    long[] callerUse = new long[2];
    for (long[] u : used) {
      if (u != null) {
        callerUse[0] += u[0];
        callerUse[1] += u[1];
      }
    }
    String[] threadUse = cpu.stop(callerUse, o.requests);
    String loadAfter = loadAverage();
    if (error.get() != null) {
      throw new IllegalStateException("baseline caller failed", error.get());
    }
    long t0 = Long.MAX_VALUE;
    long t1 = Long.MIN_VALUE;
    long soldOut = 0;
    List<long[]> idList = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      t0 = Math.min(t0, starts[t]);
      t1 = Math.max(t1, ends[t]);
      soldOut = Math.max(soldOut, soldOutAt[t]);
      idList.add(Arrays.copyOf(ids[t], idCount[t]));
    }
    return check("synchronized", crowd, Arrays.asList(outcome), idList, t0, t1, soldOut,
        o.requests, 0, 0, 0, loadBefore, loadAfter, threadUse);
  }

  /** Counts outcomes and checks the invariants; throws if one is broken. */
  static Result check(String subject, Arrivals crowd, List<byte[]> outcomes, List<long[]> ids,
      long t0, long t1, long soldOutAt, long onCaller, long retries, long waits, long outOfOrder,
      String loadBefore, String loadAfter, String[] threadUse) {
    Options o = crowd.o;
    long[] byCode = new long[128];
    byte[] bought = new byte[o.users];
    List<String> broken = new ArrayList<>();
    long decided = 0;
    for (int t = 0; t < outcomes.size(); t++) {
      byte[] out = outcomes.get(t);
      int[] users = crowd.userOf[t];
      for (int i = 0; i < out.length; i++) {
        byCode[out[i]]++;
        if (out[i] != UNDECIDED) {
          decided++;
        }
        if (out[i] == CONFIRMED && ++bought[users[i]] > o.limit) {
          broken.add("user " + users[i] + " bought more than the limit of " + o.limit);
        }
      }
    }
    long confirmed = byCode[CONFIRMED];
    long limitReached = byCode[code(Rejection.LIMIT_REACHED)];
    long soldOut = byCode[code(Rejection.SOLD_OUT)];
    long other = decided - confirmed - limitReached - soldOut;
    if (byCode[UNDECIDED] != 0) {
      broken.add(byCode[UNDECIDED] + " requests never decided (no listener call)");
    }
    if (decided != o.requests) {
      broken.add("decided " + decided + " of " + o.requests + " requests");
    }
    long expected = Math.min(o.units, crowd.demand());
    if (confirmed != expected) {
      broken.add("confirmed " + confirmed + " units, expected " + expected);
    }
    if (other != 0) {
      StringBuilder sb = new StringBuilder("outcomes other than CONFIRMED/LIMIT_REACHED/SOLD_OUT:");
      for (Rejection r : REJECTIONS) {
        if (byCode[code(r)] != 0 && r != Rejection.LIMIT_REACHED && r != Rejection.SOLD_OUT) {
          sb.append(' ').append(r).append('=').append(byCode[code(r)]);
        }
      }
      if (byCode[FAILED] != 0) {
        sb.append(" FAILED=").append(byCode[FAILED]);
      }
      broken.add(sb.toString());
    }
    int total = 0;
    for (long[] a : ids) {
      total += a.length;
    }
    long[] all = new long[total];
    int k = 0;
    for (long[] a : ids) {
      System.arraycopy(a, 0, all, k, a.length);
      k += a.length;
    }
    if (total != confirmed) {
      broken.add(total + " order ids recorded for " + confirmed + " confirmations");
    }
    Arrays.sort(all);
    for (int i = 0; i < all.length; i++) {
      if (all[i] <= 0 || (i > 0 && all[i] == all[i - 1])) {
        broken.add("order id " + all[i] + (all[i] <= 0 ? " not positive" : " issued twice"));
        break;
      }
    }
    if (!broken.isEmpty()) {
      throw new IllegalStateException(subject + ": invariants broken: "
          + String.join("; ", broken.subList(0, Math.min(10, broken.size()))));
    }
    double soldOutSeconds = confirmed == o.units && soldOutAt != 0 ? (soldOutAt - t0) / 1e9
        : Double.NaN;
    return new Result(subject, o, soldOutSeconds, (t1 - t0) / 1e9, decided, confirmed,
        limitReached, soldOut, other, onCaller, retries, waits, outOfOrder, loadBefore, loadAfter,
        threadUse[0], threadUse[1]);
  }

  /**
   * CPU time and heap allocation of the engine's threads ({@code seckill-*}) and of the callers
   * over a run: cores (CPU seconds per wall-clock second) and bytes allocated per request of the
   * crowd, as "name=value;..." for the CSV. Shows which thread was the bottleneck, and that the
   * measured loop allocates nothing (the callers measure themselves, as their threads end).
   */
  static final class ThreadCpu {
    static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    /** Every JVM thread that is neither the engine's nor a caller, summed. */
    static final String OTHERS = "others";
    private final Map<Long, long[]> before = new LinkedHashMap<>();
    private final Map<Long, String> names = new LinkedHashMap<>();
    private final long wall0 = System.nanoTime();

    static ThreadCpu start() {
      ThreadCpu c = new ThreadCpu();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().startsWith("crowd-") || t == Thread.currentThread()) {
          continue; // the callers measure themselves; this thread only waits for them
        }
        c.names.put(t.getId(), t.getName().startsWith("seckill-")
            ? t.getName().replace("seckill-", "") : OTHERS);
        c.before.put(t.getId(), new long[] {MX.getThreadCpuTime(t.getId()), allocated(t.getId())});
      }
      return c;
    }

    /** Bytes thread {@code id} allocated so far; -1 if the JVM does not say. */
    static long allocated(long id) {
      return MX instanceof com.sun.management.ThreadMXBean
          ? ((com.sun.management.ThreadMXBean) MX).getThreadAllocatedBytes(id) : -1;
    }

    /** {cpu time, allocated bytes} of the current thread so far, for a caller to measure itself. */
    static long[] mine() {
      return new long[] {MX.getCurrentThreadCpuTime(), allocated(Thread.currentThread().getId())};
    }

    /**
     * {cores, bytes per request}: per engine thread since {@link #start}, then {@code callers=}
     * from the callers' own totals ({@code callers[0]} CPU nanoseconds, {@code callers[1]} bytes).
     */
    String[] stop(long[] callers, long requests) {
      double wall = System.nanoTime() - wall0;
      Map<String, long[]> sums = new java.util.TreeMap<>();
      for (Map.Entry<Long, String> e : names.entrySet()) {
        long cpu = MX.getThreadCpuTime(e.getKey());
        long alloc = allocated(e.getKey());
        long[] b = before.get(e.getKey());
        long[] sum = sums.computeIfAbsent(e.getValue(), k -> new long[2]);
        if (cpu >= 0 && alloc >= 0 && b[0] >= 0 && b[1] >= 0) { // a thread that ended counts 0
          sum[0] += cpu - b[0];
          sum[1] += alloc - b[1];
        }
      }
      StringBuilder cores = new StringBuilder();
      StringBuilder bytes = new StringBuilder();
      for (Map.Entry<String, long[]> e : sums.entrySet()) {
        cores.append(e.getKey()).append('=')
            .append(String.format(Locale.ROOT, "%.2f", e.getValue()[0] / wall)).append(';');
        bytes.append(e.getKey()).append('=')
            .append(String.format(Locale.ROOT, "%.3f", e.getValue()[1] / (double) requests))
            .append(';');
      }
      cores.append(String.format(Locale.ROOT, "callers=%.2f", callers[0] / wall));
      bytes.append(String.format(Locale.ROOT, "callers=%.3f", callers[1] / (double) requests));
      return new String[] {cores.toString(), bytes.toString()};
    }
  }

  /** The 1-minute load average, or "?" where /proc is absent. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }
}
