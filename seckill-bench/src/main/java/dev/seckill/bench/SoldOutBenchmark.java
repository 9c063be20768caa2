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
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The sold-out fast path: once the last unit has gone, {@code submit} refuses with
 * {@code SOLD_OUT} on the caller's thread without touching the ring. The sale (1 unit) is sold in
 * the set-up; then 1 or 2 threads submit distinct buyers on the listener path. The score is
 * refusals per second; the {@code soldOut} counter proves every request took that path.
 *
 * <p>Run: {@code java -jar seckill-bench/target/benchmarks.jar SoldOutBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.OPENS_LANG, Jvm.OPENS_REFLECT, Jvm.EXPORTS_NIO,
    Jvm.EXPORTS_JAVAC, Jvm.EXPORTS_REF, Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.HEAP})
public class SoldOutBenchmark {
  private Path dir;
  SeckillEngine engine;

  @Setup(Level.Trial)
  public void sellOut() {
    dir = Engines.tempDir("soldout");
    engine = Engines.open(dir, IdleStrategy.BLOCKING, 1024);
    engine.registerSale(Engines.sale("bench", 1, 1));
    if (!engine.submit(PurchaseRequest.of("bench", "first", 1)).join().isConfirmed()) {
      throw new IllegalStateException("the only unit was not sold");
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    Engines.closeAndDelete(engine, dir);
  }

  /** A caller thread: 4096 distinct buyers, cycled, and a listener counting on this thread. */
  @State(Scope.Thread)
  public static class Caller implements PurchaseListener {
    PurchaseRequest[] requests;
    int next;
    long soldOut;
    long other;

    @Setup(Level.Trial)
    public void build(ThreadParams threads) {
      requests = new PurchaseRequest[4096];
      for (int i = 0; i < requests.length; i++) {
        requests[i] = PurchaseRequest.of("bench", "t" + threads.getThreadIndex() + "-" + i, 1);
      }
    }

    @Override
    public void onConfirmed(PurchaseRequest request, long orderId) {
      other++;
    }

    @Override
    public void onRejected(PurchaseRequest request, Rejection reason) {
      if (reason == Rejection.SOLD_OUT) {
        soldOut++;
      } else {
        other++;
      }
    }

    void submit(SeckillEngine engine, Outcomes outcomes) {
      long before = soldOut;
      long otherBefore = other;
      engine.submit(requests[next], this);
      next = (next + 1) & (requests.length - 1);
      outcomes.soldOut += soldOut - before;
      outcomes.rejected += other - otherBefore;
    }
  }

  @Benchmark
  @Threads(1)
  public void threads1(Caller caller, Outcomes outcomes) {
    caller.submit(engine, outcomes);
  }

  @Benchmark
  @Threads(2)
  public void threads2(Caller caller, Outcomes outcomes) {
    caller.submit(engine, outcomes);
  }
}
