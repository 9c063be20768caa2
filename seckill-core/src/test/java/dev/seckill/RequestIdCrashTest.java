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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a child JVM buying with request ids, then a reopen: every purchase the child
 * saw confirmed, retried with its request id, gets the same order id; none is sold twice.
 */
@Tag("slow")
class RequestIdCrashTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final long STOCK = 100_000;

  @TempDir Path dir;

  static SeckillEngine.Builder builder(Path data) {
    return SeckillEngine.builder().dataDir(data).maxUsersPerShard(200_000)
        .outboxCapacityPerShard(200_000).maxRequestIdsPerShard(200_000).prefaultFiles(false);
  }

  static Sale sale() {
    return Sale.builder("retry").stock(STOCK).startsAt(START).endsAt(START.plus(Duration.ofDays(1)))
        .limitPerUser(1).build();
  }

  @Test
  void afterKillNineEveryAcknowledgedRetryGetsItsOrderId() throws Exception {
    Path data = dir.resolve("data");
    Map<String, Long> acknowledged = new HashMap<>();
    Process child = startChild(data);
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("C ")) {
          String[] parts = line.split(" ");
          acknowledged.put(parts[2], Long.parseLong(parts[1]));
          if (acknowledged.size() >= 3_000) {
            break;
          }
        }
        assertThat(line).as("sold out before the kill").isNotEqualTo("SOLD_OUT");
      }
      child.destroyForcibly(); // SIGKILL
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(acknowledged).hasSize(3_000);

    try (SeckillEngine engine = builder(data).clock(Clock.fixed(START, ZoneOffset.UTC)).build()) {
      long ordersBefore = engine.snapshot("retry").ordersConfirmed();
      assertThat(ordersBefore).isGreaterThanOrEqualTo(acknowledged.size());
      List<String> users = new ArrayList<>(acknowledged.keySet());
      List<CompletableFuture<PurchaseResult>> retries = new ArrayList<>();
      for (String user : users) {
        retries.add(engine.submit(PurchaseRequest.of("retry", user, 1).withRequestId("req-" + user)));
      }
      for (int i = 0; i < users.size(); i++) {
        PurchaseResult r = retries.get(i).join();
        assertThat(r.isConfirmed()).as("retry of %s: %s", users.get(i), r).isTrue();
        assertThat(r.orderId()).as("retry of %s", users.get(i)).isEqualTo(acknowledged.get(users.get(i)));
      }
      assertThat(engine.snapshot("retry").ordersConfirmed()).as("retries made no order")
          .isEqualTo(ordersBefore);
      // The child numbered its users 0, 1, 2, ...; every one it asked for was confirmed (plenty
      // of stock, one unit each) unless still in flight at the kill (at most 4). Retrying every
      // number up to a bound past them: an order that survived answers its retry, so each user
      // ends with exactly one order, and the ledger with exactly one order per number.
      long bound = ordersBefore + 8;
      List<CompletableFuture<PurchaseResult>> all = new ArrayList<>();
      for (long u = 0; u < bound; u++) {
        all.add(engine.submit(PurchaseRequest.of("retry", "u" + u, 1).withRequestId("req-u" + u)));
      }
      for (CompletableFuture<PurchaseResult> f : all) {
        assertThat(f.join().isConfirmed()).isTrue();
      }
      assertThat(engine.snapshot("retry").ordersConfirmed()).isEqualTo(bound);
      assertThat(engine.snapshot("retry").unitsSold()).isEqualTo(bound);
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
    cmd.add(RequestIdCrashChild.class.getName());
    cmd.add(data.toString());
    return new ProcessBuilder(cmd).redirectError(dir.resolve("stderr.txt").toFile()).start();
  }
}
