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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery after {@code kill -9} of a ledger holding 1.1M orders, none flushed (so all in the
 * journal), killed mid-batch: the open replays the records above the watermark. Prints the time
 * the open took; asserts what it recovered, not how fast (the machine is shared).
 */
@Tag("slow")
class RecoveryTimeTest {
  static final int ORDERS = 1_100_000;
  static final int UNCHECKPOINTED = 50;
  static final long BOUND = 2_000_000;

  @TempDir Path dir;

  static LedgerConfig config(Path dir) {
    return new LedgerConfig(dir, 0, 1, BOUND, BOUND, 4, Clock.systemUTC());
  }

  /** The child: fills the ledger, says READY, and waits to be killed. */
  public static void main(String[] args) throws Exception {
    StockLedger l = StockLedger.open(config(Path.of(args[0])));
    Instant now = Instant.now();
    SaleState s = l.register(Sale.builder("s").stock(1L << 40).startsAt(now.minusSeconds(60))
        .endsAt(now.plusSeconds(3600)).limitPerUser(1).build());
    for (int i = 1; i <= ORDERS; i++) {
      if (!StockLedger.isConfirmed(l.decide(s, "user-" + i, 1))) {
        throw new IllegalStateException("order " + i + " refused");
      }
      if (i % 64 == 0) {
        l.checkpoint();
      }
    }
    l.checkpoint();
    for (int i = 1; i <= UNCHECKPOINTED; i++) { // decided, no checkpoint: replayed on open
      l.decide(s, "late-" + i, 1);
    }
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  @Test
  void recoveryAfterKillAtOverAMillionOrders() throws Exception {
    Path data = dir.resolve("shard-0");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(JvmFlags.REQUIRED);
    cmd.add("-Dchronicle.analytics.disable=true");
    cmd.add("-Dchronicle.announcer.disable=true");
    cmd.add("-Xmx512m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(RecoveryTimeTest.class.getName());
    cmd.add(data.toString());
    Process child = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr.txt").toFile()).start();
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null && !line.equals("READY")) {
        // child's other output
      }
      assertThat(line).as("child output; see %s", dir.resolve("stderr.txt")).isEqualTo("READY");
    }
    child.destroyForcibly(); // SIGKILL
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // Chronicle's classes loaded and compiled before the clock starts (a JVM's first open).
    try (StockLedger warm = StockLedger.open(new LedgerConfig(dir.resolve("warm-up"), 0, 1, 1000,
        1000, 4, Clock.systemUTC()))) {
      assertThat(warm.recovered()).isFalse();
    }

    long started = System.nanoTime();
    try (StockLedger l = StockLedger.open(config(data))) {
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      System.out.printf("seckill recovery after kill -9 at %d orders (%d replayed, %d in the"
          + " outbox, users table %d buyers): open took %d ms%n", l.appliedSeq(), l.replayed(),
          l.outboxSize(), l.users().count(), millis);
      assertThat(l.recovered()).isTrue();
      assertThat(l.replayed()).isEqualTo(UNCHECKPOINTED);
      assertThat(l.appliedSeq()).isEqualTo(ORDERS + UNCHECKPOINTED);
      assertThat(l.outboxSize()).isEqualTo(ORDERS + UNCHECKPOINTED);
      SaleState s = l.sales().get(0);
      assertThat(s.publishedOrders()).isEqualTo(ORDERS + UNCHECKPOINTED);
      assertThat(l.unitsBought(s, "late-" + UNCHECKPOINTED)).isEqualTo(1);
      assertThat(l.users().count()).as("counted by the scan after the kill")
          .isEqualTo(ORDERS + UNCHECKPOINTED);
    }
  }
}
