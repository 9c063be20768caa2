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
package dev.seckill.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.Rejection;
import dev.seckill.SalePhase;
import dev.seckill.examples.demo.FlashSaleSimulation.Report;
import dev.seckill.examples.demo.FlashSaleSimulation.Settings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's simulation, small, so the README's run command cannot rot. */
class FlashSaleSimulationTest {
  @TempDir Path dir;

  @Test
  void sellsOutWithoutBreakingAPromise() throws Exception {
    Report r = FlashSaleSimulation.run(new Settings(2_000, 20_000, 4, 500, 2, 64, 7), dir);
    assertThat(r.confirmedUnits()).isEqualTo(500);
    assertThat(r.snapshot().unitsSold()).isEqualTo(500);
    assertThat(r.snapshot().phase()).isEqualTo(SalePhase.SOLD_OUT);
    assertThat(r.orderIdsUnique()).isTrue();
    assertThat(r.maxUnitsPerUser()).isLessThanOrEqualTo(2);
    long rejected = r.rejections().values().stream().mapToLong(Long::longValue).sum();
    assertThat(r.confirmedOrders() + rejected).isEqualTo(20_000);
    assertThat(r.rejections()).containsKey(Rejection.SOLD_OUT);
    assertThat(r.latencyNanos().getTotalCount()).isEqualTo(20_000);
  }
}
