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

import dev.seckill.spi.ConfirmedOrder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} in the middle of a sale, twice, then a third life sells the rest: nothing sold
 * before a crash is sold again, no confirmed order is lost, no order id repeats, no user goes
 * above the limit.
 */
@Tag("slow")
class CrashRecoveryTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final long STOCK = 30_000;
  static final int LIMIT = 2;
  static final long MAX_USERS = 200_000;
  static final long OUTBOX = 50_000;

  @TempDir Path dir;

  static Sale sale() {
    return Sale.builder("crash").stock(STOCK).startsAt(START).endsAt(START.plus(Duration.ofDays(1)))
        .limitPerUser(LIMIT).maxPerRequest(1).build();
  }

  @Test
  void killNineTwiceThenSellTheRest() throws Exception {
    Path data = dir.resolve("data");
    Map<Long, String> acknowledged = new HashMap<>(); // order id -> user, as printed by children
    for (int life = 0; life < 2; life++) {
      int before = acknowledged.size();
      Process child = startChild(data, "life" + life + "-", 1_000 + 2_000 * life);
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("C ")) {
            String[] parts = line.split(" ");
            String previous = acknowledged.put(Long.parseLong(parts[1]), parts[2]);
            assertThat(previous).as("order id %s acknowledged twice", parts[1]).isNull();
            if (acknowledged.size() - before >= 2_000) {
              break;
            }
          }
          assertThat(line).as("the child sold out before it could be killed").isNotEqualTo("SOLD_OUT");
        }
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no clean close
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(acknowledged.size() - before).as("confirmations seen in life %d", life).isEqualTo(2_000);
    }

    // Third life, in this JVM: reopen (recovering), check, and sell everything that is left.
    try (SeckillEngine engine = SeckillEngine.builder().dataDir(data)
        .clock(Clock.fixed(START, ZoneOffset.UTC)).maxUsersPerShard(MAX_USERS)
        .outboxCapacityPerShard(OUTBOX).build()) {
      engine.registerSale(sale()); // same spec: a no-op
      SaleSnapshot afterCrashes = engine.snapshot("crash");
      assertThat(afterCrashes.unitsSold()).isGreaterThanOrEqualTo(acknowledged.size());
      assertThat(afterCrashes.unitsSold() + afterCrashes.remaining()).isEqualTo(STOCK);
      assertThat(afterCrashes.ordersConfirmed()).isEqualTo(afterCrashes.unitsSold());

      long confirmed = 0;
      int nextUser = 0;
      while (engine.snapshot("crash").remaining() > 0) {
        List<CompletableFuture<PurchaseResult>> chunk = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
          chunk.add(engine.submit(PurchaseRequest.of("crash", "life2-" + nextUser++, 1)));
        }
        for (CompletableFuture<PurchaseResult> f : chunk) {
          PurchaseResult r = f.join();
          if (r.isConfirmed()) {
            confirmed++;
          } else {
            assertThat(r.rejection()).isEqualTo(Rejection.SOLD_OUT);
          }
        }
      }
      assertThat(confirmed).isEqualTo(afterCrashes.remaining());
      assertThat(engine.snapshot("crash").remaining()).isZero();
      assertThat(engine.snapshot("crash").phase()).isEqualTo(SalePhase.SOLD_OUT);
    }

    // The ledger's own record of every order (no sink: all are still in the outbox).
    Map<Long, ConfirmedOrder> recorded = new HashMap<>();
    Map<String, Integer> unitsPerUser = new HashMap<>();
    try (StockLedger ledger = StockLedger.open(new LedgerConfig(data.resolve("shard-0"), 0, 1,
        MAX_USERS, OUTBOX, 1024, Clock.systemUTC()))) {
      ledger.outbox().forEach(o -> {
        assertThat(recorded.put(o.orderId(), o)).as("order id %d stored twice", o.orderId()).isNull();
        unitsPerUser.merge(o.userId(), o.quantity(), Integer::sum);
      });
      assertThat(ledger.appliedSeq()).isEqualTo(STOCK);
    }
    assertThat(recorded.values().stream().mapToLong(ConfirmedOrder::quantity).sum()).isEqualTo(STOCK);
    assertThat(unitsPerUser.values()).allSatisfy(u -> assertThat(u).isLessThanOrEqualTo(LIMIT));
    for (Map.Entry<Long, String> ack : acknowledged.entrySet()) {
      assertThat(recorded.get(ack.getKey())).as("acknowledged order %d", ack.getKey()).isNotNull();
      assertThat(recorded.get(ack.getKey()).userId()).isEqualTo(ack.getValue());
    }
  }

  private Process startChild(Path data, String userPrefix, long seed) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(JvmFlags.REQUIRED);
    cmd.add("-Dchronicle.analytics.disable=true");
    cmd.add("-Dchronicle.announcer.disable=true");
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CrashChild.class.getName());
    cmd.add(data.toString());
    cmd.add(userPrefix);
    cmd.add("20000");
    cmd.add(Long.toString(seed));
    return new ProcessBuilder(cmd)
        .redirectError(dir.resolve(userPrefix + "stderr.txt").toFile())
        .start();
  }
}
