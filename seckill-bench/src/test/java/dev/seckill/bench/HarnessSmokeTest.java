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

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.IdleStrategy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The open-loop harness and the scale run, at a tiny size. Checks they work, not how fast. */
@Tag("slow")
class HarnessSmokeTest {
  @Test
  void openLoopAtATinyRateRecordsEveryDecision(@TempDir Path out) throws Exception {
    System.setProperty("java.awt.headless", "true");
    OpenLoop.Options o = new OpenLoop.Options();
    o.fractions = new double[] {0.5, 1.0};
    o.maxRate = 4_000; // fixed: no closed-loop measurement in the smoke test
    o.warmupMillis = 100;
    o.measureMillis = 300;
    o.pool = 10_000;
    o.idles = List.of(IdleStrategy.BLOCKING);
    o.out = out.resolve("openloop.csv");
    List<OpenLoop.Step> steps = OpenLoop.run(o);

    assertThat(steps).hasSize(2);
    for (OpenLoop.Step s : steps) {
      assertThat(s.mismatches()).isZero();
      assertThat(s.samples()).isPositive();
      assertThat(s.confirmed()).isPositive();
      assertThat(s.p50()).isLessThanOrEqualTo(s.p99());
      assertThat(s.p99()).isLessThanOrEqualTo(s.max());
    }
    assertThat(Files.readAllLines(o.out)).hasSize(3);

    double max = OpenLoop.measureMaxRate(IdleStrategy.BLOCKING, "disk", 200, Crowd.of("bench", "m", 20_000));
    assertThat(max).isPositive();

    Report.write(out);
    assertThat(out.resolve("latency-by-rate.png")).exists();
  }

  @Test
  void scaleRunFillsMeasuresKillsAndRecovers() throws Exception {
    ScaleRun.Result r = ScaleRun.run(40_000, true, "disk");
    assertThat(r.users()).isEqualTo(40_000);
    assertThat(r.allocatedBytes()).isPositive();
    assertThat(r.apparentBytes()).isPositive();
    assertThat(r.consistent()).isTrue();
    assertThat(r.ordersAfterRecovery()).isGreaterThanOrEqualTo(r.ordersBeforeKill());
    assertThat(r.recoverySeconds()).isPositive();
  }

  @Test
  void crowdRunSellsOutWithEveryInvariantChecked(@TempDir Path out) throws Exception {
    CrowdRun.Options o = new CrowdRun.Options();
    o.units = 5_000;
    o.users = 40_000;
    o.requests = 80_000;
    o.window = 256;
    o.warmup = 0.25;
    o.out = out.resolve("crowd.csv");
    List<CrowdRun.Result> results = CrowdRun.run(o); // throws if an invariant is broken
    assertThat(results).extracting(CrowdRun.Result::subject).containsExactly("engine", "synchronized");
    for (CrowdRun.Result r : results) {
      assertThat(r.decided()).isEqualTo(80_000);
      assertThat(r.confirmed()).isEqualTo(5_000);
      assertThat(r.limitReached() + r.soldOut()).isEqualTo(75_000);
      assertThat(r.other()).isZero();
      assertThat(r.soldOutSeconds()).isPositive().isLessThanOrEqualTo(r.allDecidedSeconds());
    }
    CrowdRun.main(new String[] {"--units", "500", "--users", "4000", "--requests", "8000",
        "--warmup", "0", "--storage", "shm", "--out", o.out.toString()});
    assertThat(Files.readAllLines(o.out)).hasSize(3); // header, engine, baseline
  }

  @Test
  void crowdRunChecksDemandBelowStockAndALimitAboveOne() throws Exception {
    CrowdRun.Options o = new CrowdRun.Options();
    o.units = 50_000; // more than the crowd wants: never sold out
    o.users = 3_000;
    o.requests = 10_000; // 3 or 4 attempts each, limit 2: every user buys 2
    o.limit = 2;
    o.threads = 3;
    o.warmup = 0;
    o.baseline = false;
    List<CrowdRun.Result> results = CrowdRun.run(o);
    assertThat(results).hasSize(1);
    CrowdRun.Result r = results.get(0);
    assertThat(r.confirmed()).isEqualTo(6_000);
    assertThat(r.limitReached()).isEqualTo(4_000);
    assertThat(r.soldOut()).isZero();
    assertThat(r.soldOutSeconds()).isNaN();
  }

  @Test
  void crowdMixIsMostlyNewBuyers() {
    Crowd c = Crowd.of("s", "u", 2_000);
    java.util.Map<String, Integer> seen = new java.util.HashMap<>();
    int repeats = 0;
    int third = 0;
    for (int i = 0; i < c.size(); i++) {
      int n = seen.merge(c.get(i).userId(), 1, Integer::sum);
      if (n == 2) {
        repeats++;
      } else if (n == 3) {
        third++;
      }
    }
    assertThat(seen.size()).isBetween(1_650, 1_720); // ~85% new buyers
    assertThat(repeats).isBetween(180, 200); // ~10% second units
    assertThat(third).isBetween(90, 100); // ~5% over the limit of 2
  }
}
