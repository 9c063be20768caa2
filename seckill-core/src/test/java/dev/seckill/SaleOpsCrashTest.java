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

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kill -9} right after sale operations: each one is there after the restart. */
@Tag("slow")
class SaleOpsCrashTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant NOW = START.plus(Duration.ofMinutes(10));

  @TempDir Path dir;

  static SeckillEngine.Builder builder(Path data) {
    return SeckillEngine.builder().dataDir(data).developmentDefaults().prefaultFiles(false);
  }

  static Sale sale(String id) {
    return Sale.builder(id).stock(2).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(1).build();
  }

  @Test
  void operationsSurviveKillNine() throws Exception {
    Path data = dir.resolve("data");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(JvmFlags.REQUIRED);
    cmd.add("-Dchronicle.analytics.disable=true");
    cmd.add("-Dchronicle.announcer.disable=true");
    cmd.add("-Xmx128m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(SaleOpsCrashChild.class.getName());
    cmd.add(data.toString());
    Process child = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr.txt").toFile()).start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("DONE");
    } finally {
      child.destroyForcibly(); // SIGKILL
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    MutableClock clock = new MutableClock(NOW);
    try (SeckillEngine e = builder(data).clock(clock).build()) {
      SaleSnapshot a = e.snapshot("a");
      assertThat(a.totalStock()).isEqualTo(12);
      assertThat(a.unitsSold()).isEqualTo(3);
      assertThat(a.remaining()).isEqualTo(9);
      assertThat(a.paused()).isTrue();
      assertThat(e.saleView("a").endsAt()).isEqualTo(NOW.plus(Duration.ofDays(3)));
      assertThat(e.saleView("b").endsAt()).isEqualTo(NOW);
      assertThat(e.submit(PurchaseRequest.of("b", "dave", 1)).join().rejection())
          .isEqualTo(Rejection.ENDED);
      assertThat(e.submit(PurchaseRequest.of("a", "dave", 1)).join().rejection())
          .isEqualTo(Rejection.PAUSED);
      e.resumeSale("a").join();
      clock.advance(Duration.ofHours(2)); // past the registered end, before the extended one
      assertThat(e.submit(PurchaseRequest.of("a", "dave", 1)).join().isConfirmed()).isTrue();
      assertThat(e.submit(PurchaseRequest.of("a", "alice", 1)).join().rejection())
          .isEqualTo(Rejection.LIMIT_REACHED);
    }
  }
}
