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

import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * In-heap baselines ({@link InHeapStore}): {@code synchronized} + HashMap and AtomicLong CAS +
 * ConcurrentHashMap, with 1, 2 and 4 caller threads and the same crowd as {@link SubmitBenchmark}.
 * Each call is one decision, made on the caller's thread. Stores are fresh each iteration;
 * iterations are short (250 ms) so the bounded order log ({@code capacity}) never fills.
 *
 * <p>Run: {@code java -jar seckill-bench/target/benchmarks.jar InHeapBaselineBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 250, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 8, time = 250, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.OPENS_LANG, Jvm.OPENS_REFLECT, Jvm.EXPORTS_NIO,
    Jvm.EXPORTS_JAVAC, Jvm.EXPORTS_REF, Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, "-Xmx4g"})
public class InHeapBaselineBenchmark {
  @Param({"synchronized", "cas"})
  public String impl;

  /** Orders the log holds, and the map's initial sizing. */
  @Param({"6000000"})
  public int capacity;

  InHeapStore store;

  @Setup(Level.Iteration)
  public void fresh() {
    store = null;
    System.gc(); // the previous iteration's maps are garbage; do not bill the next one for them
    store = InHeapStore.create(impl, 1L << 50, Crowd.LIMIT_PER_USER, capacity);
  }

  /** One caller thread's slice of the crowd. */
  @State(Scope.Thread)
  public static class Caller {
    @Param({"2097152"})
    public int pool;

    Crowd crowd;

    @Setup(Level.Trial)
    public void build(ThreadParams threads) {
      crowd = Crowd.of("bench", "t" + threads.getThreadIndex() + "-", pool);
    }

    @Setup(Level.Iteration)
    public void rewind() {
      crowd.rewind();
    }
  }

  private long decide(Caller caller, Outcomes outcomes) {
    var r = caller.crowd.next();
    long d = store.decide(r.userId(), r.quantity());
    outcomes.add(d);
    return d;
  }

  @Benchmark
  @Threads(1)
  public long threads1(Caller caller, Outcomes outcomes) {
    return decide(caller, outcomes);
  }

  @Benchmark
  @Threads(2)
  public long threads2(Caller caller, Outcomes outcomes) {
    return decide(caller, outcomes);
  }

  @Benchmark
  @Threads(4)
  public long threads4(Caller caller, Outcomes outcomes) {
    return decide(caller, outcomes);
  }
}
