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
import dev.seckill.bench.MovableClock;
import dev.seckill.bench.Outcomes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
 * The cost of the reservation lifecycle on the ledger alone (one thread, no ring), in the same
 * run: {@code decideKeyed} confirms a new buyer per call with the buyer's key precomputed (the
 * writer's share, as {@link LedgerBenchmark#decideKeyed}), with {@code -p payWithin=false}
 * (a final order: one journal record, the user's units) and {@code true} (a reservation: a
 * bigger record, an entry in the reservations table, a deadline in the heap); {@code expire}
 * expires {@value #EXPIRE} due reservations by ticks of at most 1,024 (the writer's work when
 * reservations fall due), reported per reservation expired.
 *
 * <p>Run: {@code java -jar seckill-bench/target/benchmarks.jar ReservationBenchmark}
 */
@State(Scope.Thread)
@Warmup(iterations = 3, time = 250, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 250, timeUnit = TimeUnit.MILLISECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {Jvm.OPENS_LANG, Jvm.OPENS_REFLECT, Jvm.EXPORTS_NIO,
    Jvm.EXPORTS_JAVAC, Jvm.EXPORTS_REF, Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.HEAP})
public class ReservationBenchmark {
  static final int EXPIRE = 100_000;

  /** Whether the sale takes reservations ({@code Sale.Builder.payWithin}). */
  @Param({"false", "true"})
  public boolean payWithin;

  /**
   * Buyers (and reservations) each fresh ledger is sized for: above what one 250 ms iteration
   * confirms, so every decision is a confirmation (the {@code rejected} counter stays 0).
   */
  @Param({"1500000"})
  public long maxUsers;

  private String[] users;
  private UserKey[] keys;
  private int next;
  private int sinceCheckpoint;
  private Path dir;
  private StockLedger ledger;
  private SaleState sale;
  private final MovableClock clock =
      MovableClock.at(Instant.parse("2026-11-11T00:00:00Z"));


  @Setup(Level.Trial)
  public void build() {
    users = new String[(int) Math.min(maxUsers - 1, 1_200_000)];
    for (int i = 0; i < users.length; i++) {
      users[i] = "u" + i;
    }
  }

  @Setup(Level.Iteration)
  public void open(BenchmarkParams params) throws IOException {
    dir = Engines.tempDir("reservations");
    next = 0;
    sinceCheckpoint = 0;
    ledger = StockLedger.open(new LedgerConfig(dir, 0, 1, maxUsers, maxUsers, 16, clock, true,
        maxUsers, Duration.ofHours(1).toMillis(), 0, LedgerConfig.TEST_REQUEST_ID_RETENTION_MILLIS));
    ledger.bindWriter();
    Sale.Builder b = Sale.builder("bench").stock(1L << 50).startsAt(Engines.OPEN)
        .endsAt(Engines.CLOSE).limitPerUser(1_000_000).maxPerRequest(1);
    boolean reserve = payWithin || params.getBenchmark().endsWith(".expire");
    if (reserve) {
      b.payWithin(Duration.ofMinutes(15));
    }
    sale = ledger.register(b.build());
    keys = new UserKey[users.length];
    for (int i = 0; i < users.length; i++) {
      keys[i] = new UserKey();
      ledger.userKeys().hash(sale.index(), users[i], keys[i]);
    }
    if (params.getBenchmark().endsWith(".expire")) {
      for (int i = 0; i < EXPIRE; i++) {
        ledger.decide(sale, users[i], keys[i], 1);
        if ((i & 63) == 63) {
          ledger.checkpoint();
        }
      }
      ledger.checkpoint();
      clock.advance(Duration.ofMinutes(15).toMillis()); // every one falls due
    }
  }

  @TearDown(Level.Iteration)
  public void close() {
    Engines.closeAndDelete(ledger, dir);
    ledger = null;
    keys = null;
  }

  /** One confirmed decision, the buyer's key precomputed; a reservation with payWithin=true. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public long decideKeyed(Outcomes outcomes) {
    int i = next;
    next = next + 1 == users.length ? 0 : next + 1;
    long d = ledger.decide(sale, users[i], keys[i], 1);
    if (++sinceCheckpoint == LedgerBenchmark.CHECKPOINT_EVERY) {
      sinceCheckpoint = 0;
      ledger.checkpoint();
    }
    outcomes.add(d);
    return d;
  }

  /**
   * Expires {@value #EXPIRE} due reservations, tick by tick (1,024 per tick, a checkpoint after
   * each, as the writer's batch end does); the score is the time per reservation expired.
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @OperationsPerInvocation(EXPIRE)
  @Warmup(iterations = 3, batchSize = 1)
  @Measurement(iterations = 5, batchSize = 1)
  public long expire() {
    long expired = 0;
    int n;
    while ((n = ledger.tick()) > 0) {
      expired += n;
      ledger.checkpoint();
    }
    if (expired != EXPIRE) {
      throw new IllegalStateException("expired " + expired + ", expected " + EXPIRE);
    }
    return expired;
  }
}
