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
import dev.seckill.PurchaseResult;
import dev.seckill.Rejection;
import dev.seckill.SeckillEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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

/**
 * The callback {@code submit(request, listener)} against the future {@code submit(request)}, one
 * caller thread, batches of {@value #BATCH} decided requests, the same crowd as
 * {@link SubmitBenchmark}. Run it with the GC profiler: {@code gc.alloc.rate.norm} is the bytes
 * allocated per decided request by every thread of the JVM (caller, ledger writer and
 * responder), since JMH sums all threads' allocation.
 *
 * <p>Run: {@code java -jar seckill-bench/target/benchmarks.jar SubmitPathBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {Jvm.OPENS_LANG, Jvm.OPENS_REFLECT, Jvm.EXPORTS_NIO,
    Jvm.EXPORTS_JAVAC, Jvm.EXPORTS_REF, Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.HEAP})
public class SubmitPathBenchmark {
  public static final int BATCH = 64;

  @Param({"listener", "future"})
  public String path;

  @Param({"4000000"})
  public long maxUsers;

  @Param({"1048576"})
  public int pool;

  private Path dir;
  private SeckillEngine engine;
  private Crowd crowd;
  private BatchListener listener;
  private final List<CompletableFuture<PurchaseResult>> futures =
      new ArrayList<>(Collections.nCopies(BATCH, null));

  @Setup(Level.Trial)
  public void build() {
    crowd = Crowd.of("bench", "u", pool);
    listener = new BatchListener();
  }

  @Setup(Level.Iteration)
  public void open() {
    dir = Engines.tempDir("path");
    engine = Engines.open(dir, IdleStrategy.BLOCKING, maxUsers);
    engine.registerSale(Engines.hugeSale("bench"));
    crowd.rewind();
  }

  @TearDown(Level.Iteration)
  public void close() {
    Engines.closeAndDelete(engine, dir);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void submit(Outcomes outcomes) {
    if (path.equals("listener")) {
      BatchListener l = listener;
      l.reset();
      l.begin(BATCH);
      for (int i = 0; i < BATCH; i++) {
        engine.submit(crowd.next(), l);
      }
      l.await();
      outcomes.add(l);
    } else {
      for (int i = 0; i < BATCH; i++) {
        futures.set(i, engine.submit(crowd.next()));
      }
      for (int i = 0; i < BATCH; i++) {
        PurchaseResult r = futures.set(i, null).join();
        if (r.isConfirmed()) {
          outcomes.confirmed++;
        } else if (r.rejection() == Rejection.SOLD_OUT) {
          outcomes.soldOut++;
        } else {
          outcomes.rejected++;
        }
      }
    }
  }
}
