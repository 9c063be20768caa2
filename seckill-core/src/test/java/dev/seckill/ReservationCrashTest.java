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

import dev.seckill.OrderTransition.Outcome;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a child JVM holding reservations, which fall due while it is dead: after the
 * restart the first ticks of the reservation timer expire them (no call touches them), the
 * sold-out flag clears, the units sell again, the paid ones stay paid, and stock is counted once.
 */
@Tag("slow")
class ReservationCrashTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final long STOCK = 300;
  static final Duration PAY_WITHIN = Duration.ofMinutes(10);

  @TempDir Path dir;

  static Sale sale() {
    return Sale.builder("resv").stock(STOCK).startsAt(START).endsAt(START.plus(Duration.ofDays(1)))
        .limitPerUser(1).payWithin(PAY_WITHIN).build();
  }

  static SeckillEngine.Builder builder(Path data) {
    return SeckillEngine.builder().dataDir(data).developmentDefaults().prefaultFiles(false)
        .reservationTickInterval(Duration.ofMillis(5));
  }

  @Test
  void reservationsThatFellDueWhileTheProcessWasDeadExpireOnTheFirstTicks() throws Exception {
    Path data = dir.resolve("data");
    Set<Long> reserved = new HashSet<>();
    Set<Long> paid = new HashSet<>();
    Process child = startChild(data);
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("HELD")) {
        if (line.startsWith("R ")) {
          reserved.add(Long.parseLong(line.substring(2)));
        } else if (line.startsWith("P ")) {
          paid.add(Long.parseLong(line.substring(2)));
        }
      }
      assertThat(line).as("the child held every unit").isEqualTo("HELD");
      child.destroyForcibly(); // SIGKILL while its buyers and payments are in flight
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    // HELD may be printed by one buyer before another printed its last reservation: a few lines
    // may be missing, never more than the buyers (4).
    assertThat(reserved.size()).isBetween((int) STOCK - 4, (int) STOCK);

    MutableClock clock = new MutableClock(START.plus(PAY_WITHIN).plusMillis(1)); // all fell due
    try (SeckillEngine e = builder(data).clock(clock).build()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (e.snapshot("resv").held() > 0 && System.nanoTime() - deadline < 0) {
        Thread.onSpinWait(); // the timer's first ticks; no sleep, a bounded wait
      }
      SaleSnapshot snap = e.snapshot("resv");
      assertThat(snap.held()).as("every unpaid reservation expired by the ticks").isZero();
      assertThat(snap.paid()).as("acknowledged payments survive").isGreaterThanOrEqualTo(paid.size());
      assertThat(snap.remaining() + snap.paid()).isEqualTo(STOCK);
      assertThat(snap.remaining()).isPositive();
      assertThat(snap.phase()).as("the sold-out flag cleared").isEqualTo(SalePhase.ON_SALE);
      for (long id : paid) {
        assertThat(e.pay(id, "psp-" + id).join().outcome()).isEqualTo(Outcome.ALREADY_IN_STATE);
      }
      long expired = 0;
      for (long id : reserved) {
        OrderTransition t = e.cancel(id).join();
        if (t.state() == OrderState.EXPIRED) {
          assertThat(t.outcome()).isEqualTo(Outcome.TOO_LATE);
          expired++;
        } else {
          assertThat(t.state()).isEqualTo(OrderState.PAID);
        }
      }
      assertThat(expired).isBetween(snap.remaining() - 4, snap.remaining());
      List<Long> again = new ArrayList<>();
      for (int i = 0; i < STOCK; i++) {
        PurchaseResult r = e.submit(PurchaseRequest.of("resv", "after-" + i, 1)).join();
        if (r.isConfirmed()) {
          again.add(r.orderId());
        } else {
          assertThat(r.rejection()).isEqualTo(Rejection.ALL_HELD);
        }
      }
      assertThat((long) again.size()).as("the expired units sell again").isEqualTo(snap.remaining());
      assertThat(again).doesNotContainAnyElementsOf(reserved);
    }
  }

  private Process startChild(Path data) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(JvmFlags.REQUIRED);
    cmd.add("-Dchronicle.analytics.disable=true");
    cmd.add("-Dchronicle.announcer.disable=true");
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ReservationCrashChild.class.getName());
    cmd.add(data.toString());
    return new ProcessBuilder(cmd).redirectError(dir.resolve("child-stderr.txt").toFile()).start();
  }
}
