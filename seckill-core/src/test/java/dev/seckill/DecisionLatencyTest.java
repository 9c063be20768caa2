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

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sampled submit-to-decision latency: the histogram, the sampling rule, the meters. */
class DecisionLatencyTest {
  @TempDir Path dir;

  @Test
  void everyValueFallsInABucketAtMostAnEighthWide() {
    long[] values = {0, 1, 7, 8, 9, 15, 16, 17, 100, 1_000, 65_535, 65_536, 1_000_000_007L,
        Long.MAX_VALUE / 3, Long.MAX_VALUE};
    for (long v : values) {
      int b = LatencyHistogram.bucket(v);
      assertThat(b).as("bucket of %d", v).isBetween(0, LatencyHistogram.BUCKETS - 1);
      long high = LatencyHistogram.highestValue(b);
      assertThat(high).as("highest of %d's bucket", v).isGreaterThanOrEqualTo(v);
      assertThat(high - v).as("width at %d", v).isLessThanOrEqualTo(v / 8);
      if (b > 0) {
        assertThat(LatencyHistogram.highestValue(b - 1)).as("below %d", v).isLessThan(v);
      }
    }
    for (int b = 1; b < LatencyHistogram.BUCKETS; b++) {
      assertThat(LatencyHistogram.highestValue(b)).isGreaterThan(LatencyHistogram.highestValue(b - 1));
      assertThat(LatencyHistogram.bucket(LatencyHistogram.highestValue(b))).isEqualTo(b);
    }
  }

  @Test
  void quantilesOfAKnownSpread() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.quantileNanos(0.5)).isEqualTo(-1);
    for (long v = 1; v <= 10_000; v++) {
      h.record(v * 1_000);
    }
    h.record(-5); // counts as 0
    assertThat(h.count()).isEqualTo(10_001);
    assertThat(h.totalNanos()).isEqualTo(1_000L * 10_000 * 10_001 / 2);
    long p50 = h.quantileNanos(0.5);
    long p99 = h.quantileNanos(0.99);
    assertThat(p50).isBetween(5_000_000L, 5_000_000L + 5_000_000L / 8);
    assertThat(p99).isBetween(9_900_000L, 9_900_000L + 9_900_000L / 8);
    assertThat(h.quantileNanos(0.00001)).isZero();
    assertThat(h.quantileNanos(1.0)).isGreaterThanOrEqualTo(10_000_000L);
  }

  @Test
  void oneDecisionIn64IsSampledAndPublishedAsMeters() throws Exception {
    int n = 20 * Shard.LATENCY_SAMPLE_EVERY;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (SeckillEngine e = SeckillEngine.builder().dataDir(dir).clock(new MutableClock(
        MetricsTest.START)).developmentDefaults().shards(2).build()) {
      e.registerSale(MetricsTest.sale("s", 2 * n));
      new SeckillMetrics(e).bindTo(registry);
      for (int batch = 0; batch < n / 64; batch++) { // waits per batch: never OVERLOADED
        List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
          fs.add(e.submit(PurchaseRequest.of("s", "u" + (batch * 64 + i), 1)));
        }
        for (CompletableFuture<PurchaseResult> f : fs) {
          assertThat(f.get(30, TimeUnit.SECONDS).isConfirmed()).isTrue();
        }
      }
      // The sale's n purchases took n consecutive ring sequences on its shard (after at most a
      // registration's): exactly n / 64 of them are multiples of 64. The other shard saw none.
      Shards shards = e.parts().shards();
      long samples = 0;
      for (int s = 0; s < shards.count(); s++) {
        LatencyHistogram h = shards.get(s).decisionLatency();
        String shard = Integer.toString(s);
        FunctionTimer timer = registry.find("seckill.decision.latency").tags("shard", shard)
            .functionTimer();
        assertThat(timer).isNotNull();
        assertThat(timer.count()).isEqualTo(h.count());
        samples += h.count();
        double[] q = new double[4];
        String[] phis = {"0.5", "0.9", "0.99", "0.999"};
        for (int i = 0; i < 4; i++) {
          Gauge g = registry.find("seckill.decision.latency.percentile")
              .tags("shard", shard, "phi", phis[i]).gauge();
          assertThat(g).as("percentile %s shard %s", phis[i], shard).isNotNull();
          q[i] = g.value();
        }
        if (h.count() == 0) {
          assertThat(q).containsOnly(Double.NaN);
          assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isZero();
        } else {
          assertThat(h.count()).isEqualTo(n / Shard.LATENCY_SAMPLE_EVERY);
          assertThat(q[0]).isPositive();
          assertThat(q).isSorted();
          assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        }
      }
      assertThat(samples).isEqualTo(n / Shard.LATENCY_SAMPLE_EVERY);
    }
  }
}
