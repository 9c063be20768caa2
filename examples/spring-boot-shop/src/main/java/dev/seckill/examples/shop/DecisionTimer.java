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
package dev.seckill.examples.shop;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Submit-to-decision time of the order endpoint, as the shop sees it (from {@code engine.submit}
 * to the decision, refusals on the caller's thread included): the Micrometer timer
 * {@code shop.order.decision} with p50 and p99 over a sliding minute, shown on the operator page
 * and exported at {@code /actuator/prometheus}.
 */
@Component
public class DecisionTimer {
  private final Timer timer;

  DecisionTimer(MeterRegistry registry) {
    this.timer = Timer.builder("shop.order.decision")
        .description("engine.submit to decision, as the order endpoint sees it")
        .publishPercentiles(0.5, 0.99)
        .distributionStatisticExpiry(Duration.ofMinutes(1))
        .distributionStatisticBufferLength(3)
        .register(registry);
  }

  /** Records one decision that took {@code nanos}. Any thread. */
  void record(long nanos) {
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The p50 and p99 in milliseconds over the last minute or so (0 before any decision). */
  double[] p50p99Millis() {
    double[] out = new double[2];
    for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
      if (v.percentile() == 0.5) {
        out[0] = v.value(TimeUnit.MILLISECONDS);
      } else if (v.percentile() == 0.99) {
        out[1] = v.value(TimeUnit.MILLISECONDS);
      }
    }
    return out;
  }
}
