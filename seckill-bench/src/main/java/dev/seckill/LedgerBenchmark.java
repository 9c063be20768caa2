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
package dev.seckill;

import dev.seckill.bench.Engines;
import dev.seckill.bench.Jvm;
import dev.seckill.bench.Outcomes;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The ledger alone, on one thread with no ring: {@code StockLedger.decide} confirming a new buyer
 * each call (huge stock, a new user id each time). {@code decide} hashes the buyer's key on the
 * writer; {@code decideKeyed} takes it precomputed, as the engine's callers compute it on their
 * own threads, so it is the writer's share of a confirmation. Next to them, Chronicle Map's raw
 * single-thread {@code put} of new keys in the same run: {@code rawPutUserKey} into a map built
 * like the 0.1.x users map (CharSequence keys {@code "0|" + userId}, Long values),
 * {@code rawPutLong} Long to Long. Every map and ledger is fresh each iteration, sized for
 * {@code maxUsers} entries (the ledger's files pre-faulted at open, as an engine's build does);
 * {@code -p storage=disk,shm} shows how much of the rest is the file system.
 *
 * <p>Run: {@code java -jar seckill-bench/target/benchmarks.jar LedgerBenchmark -p storage=disk,shm}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {Jvm.OPENS_LANG, Jvm.OPENS_REFLECT, Jvm.EXPORTS_NIO,
    Jvm.EXPORTS_JAVAC, Jvm.EXPORTS_REF, Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.HEAP})
public class LedgerBenchmark {
  /** Entries each fresh ledger / map is sized for (above what one iteration writes). */
  @Param({"4000000"})
  public long maxUsers;

  /** Where the files live: {@code disk} (java.io.tmpdir) or {@code shm} (/dev/shm, tmpfs). */
  @Param({"disk"})
  public String storage;

  /** Distinct user ids pre-built; a wrapped id repeats a buyer (still confirmed: high limit). */
  @Param({"2097152"})
  public int pool;

  /** Decisions per writer batch: the engine's writer checkpoints once per Disruptor batch. */
  static final int CHECKPOINT_EVERY = 64;

  private String[] users;
  /** The users' keys under this iteration's ledger, for {@link #decideKeyed}. */
  private UserKey[] keys;
  private MethodHandle checkpoint;
  private int sinceCheckpoint;
  private int next;
  private long longKey;
  private final StringBuilder key = new StringBuilder(64);

  private Path dir;
  private StockLedger ledger;
  private SaleState sale;
  private ChronicleMap<CharSequence, Long> userMap;
  private ChronicleMap<Long, Long> longMap;

  @Setup(Level.Trial)
  public void build() {
    users = new String[pool];
    for (int i = 0; i < pool; i++) {
      users[i] = "u" + i;
    }
  }

  @Setup(Level.Iteration)
  public void open(BenchmarkParams params) throws IOException {
    dir = Engines.tempDir("ledger", storage);
    next = 0;
    longKey = 0;
    String method = params.getBenchmark();
    if (method.endsWith(".decide") || method.contains(".decideKeyed")) {
      ledger = StockLedger.open(new LedgerConfig(dir, 0, 1, maxUsers, maxUsers, 16, Clock.systemUTC()));
      ledger.bindWriter();
      sale = ledger.register(Engines.sale("bench", 1L << 50, 1_000_000));
      checkpoint = checkpointOf(ledger);
      sinceCheckpoint = 0;
      if (method.contains(".decideKeyed")) {
        keys = new UserKey[users.length];
        for (int i = 0; i < users.length; i++) {
          keys[i] = new UserKey();
          ledger.userKeys().hash(sale.index(), users[i], keys[i]);
        }
      }
    } else if (method.endsWith(".rawPutUserKey")) {
      // Built like StockLedger's user map.
      userMap = ChronicleMapBuilder.of(CharSequence.class, Long.class)
          .name("bench-users")
          .entries(maxUsers)
          .averageKeySize(64)
          .allowSegmentTiering(false)
          .sparseFile(false)
          .putReturnsNull(true)
          .removeReturnsNull(true)
          .createPersistedTo(dir.resolve("users.cm3").toFile());
    } else {
      longMap = ChronicleMapBuilder.of(Long.class, Long.class)
          .name("bench-longs")
          .entries(maxUsers)
          .putReturnsNull(true)
          .removeReturnsNull(true)
          .createPersistedTo(dir.resolve("longs.cm3").toFile());
    }
  }

  @TearDown(Level.Iteration)
  public void close() {
    Engines.closeAndDelete(ledger, null);
    Engines.closeAndDelete(userMap, null);
    Engines.closeAndDelete(longMap, null);
    ledger = null;
    keys = null;
    userMap = null;
    longMap = null;
    Engines.deleteTree(dir);
  }

  /**
   * {@code StockLedger.checkpoint()} if this seckill-core has it (the writer then calls it once per
   * batch and {@code decide} defers the counter writes to it), else null (every decision writes
   * its counters). Looked up reflectively so the benchmark runs against either version.
   */
  static MethodHandle checkpointOf(StockLedger ledger) {
    try {
      return MethodHandles.publicLookup()
          .findVirtual(StockLedger.class, "checkpoint", MethodType.methodType(void.class))
          .bindTo(ledger);
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null;
    }
  }

  private void maybeCheckpoint() {
    if (checkpoint != null && ++sinceCheckpoint == CHECKPOINT_EVERY) {
      sinceCheckpoint = 0;
      try {
        checkpoint.invokeExact();
      } catch (Throwable t) {
        throw new IllegalStateException("checkpoint failed", t);
      }
    }
  }

  private String nextUser() {
    String u = users[next];
    next = next + 1 == users.length ? 0 : next + 1;
    return u;
  }

  /**
   * One confirmed decision: stock check, user lookup, the order record (a journal append; an
   * outbox map put in older cores) and the user write, plus the counters and watermark (per
   * decision in older cores, or amortised over {@value #CHECKPOINT_EVERY}). The journal's segments
   * are created and pre-faulted in the iteration's setup, as an engine's build does.
   */
  @Benchmark
  public long decide(Outcomes outcomes) {
    long d = ledger.decide(sale, nextUser(), 1);
    maybeCheckpoint();
    outcomes.add(d);
    return d;
  }

  /**
   * {@link #decide} with the buyer's key computed beforehand, as the engine's callers compute it
   * on their own threads before publishing: the writer's share of a confirmation.
   */
  @Benchmark
  public long decideKeyed(Outcomes outcomes) {
    int i = next;
    next = next + 1 == users.length ? 0 : next + 1;
    long d = ledger.decide(sale, users[i], keys[i], 1);
    maybeCheckpoint();
    outcomes.add(d);
    return d;
  }

  /** Chronicle Map's raw put of a new ledger-style user key (the 0.1.x users map). */
  @Benchmark
  public StringBuilder rawPutUserKey() {
    StringBuilder k = key;
    k.setLength(0);
    k.append(0).append('|').append(nextUser());
    userMap.put(k, 1L);
    return k;
  }

  /** Chronicle Map's raw put of a new Long key (boxed, as the {@code Map} API requires). */
  @Benchmark
  public long rawPutLong() {
    long k = ++longKey;
    longMap.put(k, k);
    return k;
  }
}
