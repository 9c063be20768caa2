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
import java.nio.file.Path;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * {@code submit()} end to end: through the ring to the ledger writer and back to the caller,
 * counting decided results only. Each caller thread submits a batch of {@value #BATCH} requests on
 * the allocation-free listener path and waits until all of them are decided; the score is
 * decisions per second. The crowd is a real sale's mix ({@link Crowd}: 85% new buyers, 10% second
 * units, 5% refused at the limit) on a sale with stock to spare; the engine is fresh each
 * iteration so the user map starts empty.
 *
 * <p>Run: {@code java -jar seckill-bench/target/benchmarks.jar SubmitBenchmark}
 * (the Chronicle Map flags are in {@code @Fork}; add {@code -p idle=BLOCKING,YIELDING} to compare
 * idle strategies, {@code -p sale=final,reserve} for the cost of reservations).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.OPENS_LANG, Jvm.OPENS_REFLECT, Jvm.EXPORTS_NIO,
    Jvm.EXPORTS_JAVAC, Jvm.EXPORTS_REF, Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.HEAP})
public class SubmitBenchmark {
  /** Requests each caller submits before waiting for their decisions. */
  public static final int BATCH = 64;

  @Param({"BLOCKING"})
  public IdleStrategy idle;

  /** Buyers (and orders) the engine can hold; sized above what one iteration confirms. */
  @Param({"4000000"})
  public long maxUsers;

  /**
   * {@code final}: a confirmation is final (a sale without {@code payWithin}); {@code reserve}:
   * the sale has {@code payWithin(10 min)}, so each confirmation is a reservation (its record, its
   * entry in the reservation table and the deadline heap) that nobody pays within the iteration.
   */
  @Param({"final"})
  public String sale;

  private Path dir;
  SeckillEngine engine;

  @Setup(Level.Iteration)
  public void open() {
    dir = Engines.tempDir("submit");
    if (sale.equals("reserve")) {
      engine = Engines.openForReservations(dir, idle, maxUsers, java.time.Clock.systemUTC());
      engine.registerSale(Engines.hugeReservingSale("bench", java.time.Duration.ofMinutes(10)));
    } else {
      engine = Engines.open(dir, idle, maxUsers);
      engine.registerSale(Engines.hugeSale("bench"));
    }
  }

  @TearDown(Level.Iteration)
  public void close() {
    Engines.closeAndDelete(engine, dir);
  }

  /** One caller thread: its own slice of the crowd and its own listener. */
  @State(Scope.Thread)
  public static class Caller {
    /** Requests pre-built per thread; wrapping makes repeat buyers hit their limit. */
    @Param({"1048576"})
    public int pool;

    Crowd crowd;
    BatchListener listener;

    @Setup(Level.Trial)
    public void build(ThreadParams threads) {
      crowd = Crowd.of("bench", "t" + threads.getThreadIndex() + "-", pool);
      listener = new BatchListener();
    }

    @Setup(Level.Iteration)
    public void rewind() {
      crowd.rewind();
    }

    /** Submits one batch on the listener path and waits until every request is decided. */
    public void batch(SeckillEngine engine, Outcomes outcomes) {
      BatchListener l = listener;
      l.reset();
      l.begin(BATCH);
      for (int i = 0; i < BATCH; i++) {
        engine.submit(crowd.next(), l);
      }
      l.await();
      outcomes.add(l);
    }
  }

  @Benchmark
  @Threads(1)
  @OperationsPerInvocation(BATCH)
  public void threads1(Caller caller, Outcomes outcomes) {
    caller.batch(engine, outcomes);
  }

  @Benchmark
  @Threads(2)
  @OperationsPerInvocation(BATCH)
  public void threads2(Caller caller, Outcomes outcomes) {
    caller.batch(engine, outcomes);
  }

  @Benchmark
  @Threads(4)
  @OperationsPerInvocation(BATCH)
  public void threads4(Caller caller, Outcomes outcomes) {
    caller.batch(engine, outcomes);
  }
}
