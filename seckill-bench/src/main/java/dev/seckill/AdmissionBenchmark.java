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
import dev.seckill.AdmissionSettings;
import dev.seckill.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the admission checks cost per request on the caller's thread, in ns/op: the user and
 * address blocklists plus throttles ({@code screen}), a purchase token's HMAC verification
 * ({@code checkToken}), and both together ({@code screenAndToken}, what a token-requiring sale
 * with throttling on adds to every request that reaches it). 65,536 distinct buyers and
 * addresses cycle through the bounded Caffeine caches; thresholds are high enough that every
 * request is admitted, so the score is the admitted path.
 *
 * <p>Run: {@code java -jar seckill-bench/target/benchmarks.jar AdmissionBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {Jvm.OPENS_LANG, Jvm.OPENS_REFLECT, Jvm.EXPORTS_NIO,
    Jvm.EXPORTS_JAVAC, Jvm.EXPORTS_REF, Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.HEAP})
public class AdmissionBenchmark {
  private static final int KEYS = 1 << 16;
  private static final Instant NOW = Instant.parse("2026-11-11T00:00:00Z");

  private Admission admission;
  private String[] users;
  private String[] addresses;
  private String[] tokens;
  private long now;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    AdmissionSettings settings = AdmissionSettings.builder()
        .userThrottle(1_000_000, Duration.ofMinutes(1))
        .addressThrottle(1_000_000, Duration.ofMinutes(1))
        .maxTrackedUsers(2L * KEYS)
        .maxTrackedAddresses(2L * KEYS)
        .build();
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    byte[] secret = "seckill-bench admission secret, 32+ bytes long".getBytes(StandardCharsets.UTF_8);
    admission = new Admission(settings, secret, clock, Runnable::run);
    now = clock.millis();
    users = new String[KEYS];
    addresses = new String[KEYS];
    tokens = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      users[i] = "user-" + i;
      addresses[i] = "addr-" + i;
      tokens[i] = admission.issueToken("bench", users[i], now + 3_600_000);
    }
    for (int i = 0; i < KEYS; i++) {
      if (admission.screen(users[i], addresses[i], now) != null
          || admission.checkToken("bench", users[i], tokens[i], now) != null) {
        throw new IllegalStateException("the benchmark's requests must be admitted");
      }
    }
  }

  @Benchmark
  public Rejection screen() {
    int i = next++ & (KEYS - 1);
    return admission.screen(users[i], addresses[i], now);
  }

  @Benchmark
  public Rejection checkToken() {
    int i = next++ & (KEYS - 1);
    return admission.checkToken("bench", users[i], tokens[i], now);
  }

  @Benchmark
  public Rejection screenAndToken() {
    int i = next++ & (KEYS - 1);
    Rejection refusal = admission.screen(users[i], addresses[i], now); // null: passed
    return refusal != null ? refusal : admission.checkToken("bench", users[i], tokens[i], now);
  }
}
