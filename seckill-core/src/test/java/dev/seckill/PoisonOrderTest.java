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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.InMemoryOrderSink;
import dev.seckill.spi.OrderSink;
import dev.seckill.spi.PermanentSinkException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One order the sink can never store (a permanent failure) must not stall the shard: it is
 * isolated by bisecting the batch, parked in shard-N/dead-letters.jsonl, counted, and every
 * other order is stored.
 */
class PoisonOrderTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant END = START.plus(Duration.ofMinutes(10));
  static final Pattern ORDER_ID = Pattern.compile("\"orderId\":(\\d+)");

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  /**
   * A real sink over a map that refuses, for good, every batch holding an order of one of the
   * given users (like a CHECK constraint on the user column), and can simulate an outage.
   */
  static final class RefusingSink implements OrderSink {
    final InMemoryOrderSink stored = new InMemoryOrderSink();
    final Set<String> refusedUsers;
    final AtomicInteger permanentFailures = new AtomicInteger();
    volatile boolean down;

    RefusingSink(String... refusedUsers) {
      this.refusedUsers = Set.of(refusedUsers);
    }

    @Override
    public void store(List<ConfirmedOrder> batch) throws Exception {
      if (down) {
        throw new java.io.IOException("simulated outage");
      }
      for (ConfirmedOrder o : batch) {
        if (refusedUsers.contains(o.userId())) {
          permanentFailures.incrementAndGet();
          throw new PermanentSinkException("check constraint user_ok violated by order "
              + o.orderId(), new IllegalArgumentException("user " + o.userId() + " is refused"));
        }
      }
      stored.store(batch);
    }
  }

  SeckillEngine.Builder engine(OrderSink sink) {
    return SeckillEngine.builder().dataDir(dir).clock(clock).maxUsersPerShard(100_000)
        .outboxCapacityPerShard(100_000).orderSink(sink).flushBatchSize(100)
        .flushRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(20));
  }

  static Sale sale(long stock) {
    return Sale.builder("s").stock(stock).startsAt(START).endsAt(END).limitPerUser(1).build();
  }

  /** Order id by user id, for {@code users} buyers u0, u1, ... */
  static Map<String, Long> buyAll(SeckillEngine e, int users) {
    Map<String, CompletableFuture<PurchaseResult>> fs = new HashMap<>();
    for (int i = 0; i < users; i++) {
      fs.put("u" + i, e.submit(PurchaseRequest.of("s", "u" + i, 1)));
    }
    Map<String, Long> ids = new HashMap<>();
    fs.forEach((user, f) -> {
      PurchaseResult r = f.join();
      assertThat(r.isConfirmed()).as(user).isTrue();
      ids.put(user, r.orderId());
    });
    return ids;
  }

  Path deadLetterFile() {
    return dir.resolve("shard-0").resolve("dead-letters.jsonl");
  }

  List<String> deadLetterLines() throws Exception {
    Path f = deadLetterFile();
    return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
  }

  static Set<Long> idsIn(List<String> lines) {
    Set<Long> ids = new HashSet<>();
    for (String line : lines) {
      Matcher m = ORDER_ID.matcher(line);
      assertThat(m.find()).as(line).isTrue();
      ids.add(Long.parseLong(m.group(1)));
    }
    return ids;
  }

  @Test
  void poisonOrdersAreDeadLetteredAndEveryOtherOrderIsStored() throws Exception {
    RefusingSink sink = new RefusingSink("u137", "u150", "u420");
    sink.down = true; // let the outbox fill, so the poison sits inside full batches
    Map<String, Long> ids;
    Set<Long> poison = new HashSet<>();
    try (SeckillEngine e = engine(sink).build()) {
      e.registerSale(sale(500));
      ids = buyAll(e, 500);
      for (String u : sink.refusedUsers) {
        poison.add(ids.get(u));
      }
      sink.down = false;
      e.flush().get(30, TimeUnit.SECONDS); // completes: before the fix it never did

      Set<Long> good = new HashSet<>(ids.values());
      good.removeAll(poison);
      assertThat(sink.stored.orders().keySet()).isEqualTo(good);
      assertThat(e.outboxSize()).isZero();
      assertThat(e.deadLetteredOrders()).isEqualTo(3);
      // Bisection, not one store per order: a few failures per poison order.
      assertThat(sink.permanentFailures.get()).isLessThan(3 * 12);

      List<String> lines = deadLetterLines();
      assertThat(idsIn(lines)).isEqualTo(poison);
      String u137 = lines.stream().filter(l -> l.contains("\"userId\":\"u137\"")).findFirst()
          .orElseThrow();
      assertThat(u137)
          .startsWith("{\"orderId\":" + ids.get("u137") + ",\"saleId\":\"s\",\"userId\":\"u137\"")
          .contains("\"quantity\":1", "\"confirmedAt\":\"" + START + "\"", "\"shard\":0",
              "\"errorClass\":\"dev.seckill.spi.PermanentSinkException\"",
              "\"error\":\"check constraint user_ok violated by order " + ids.get("u137") + "\"",
              "\"causes\":[\"java.lang.IllegalArgumentException: user u137 is refused\"]")
          .endsWith("}");
    }

    // After a restart: the dead letters are neither offered again nor forgotten.
    RefusingSink accepting = new RefusingSink();
    try (SeckillEngine e = engine(accepting).build()) {
      assertThat(e.outboxSize()).isZero();
      assertThat(e.deadLetteredOrders()).isEqualTo(3);
      e.registerSale(sale(500));
      e.flush().get(30, TimeUnit.SECONDS);
      assertThat(accepting.stored.orders()).isEmpty();
    }
    assertThat(idsIn(deadLetterLines())).isEqualTo(poison);
  }

  @Test
  void aPoisonOrderAloneOrFirstInItsBatchIsIsolatedToo() throws Exception {
    RefusingSink sink = new RefusingSink("u0");
    try (SeckillEngine e = engine(sink).build()) {
      e.registerSale(sale(50));
      Map<String, Long> ids = buyAll(e, 50);
      e.flush().get(30, TimeUnit.SECONDS);
      assertThat(sink.stored.orders()).hasSize(49).doesNotContainKey(ids.get("u0"));
      assertThat(e.deadLetteredOrders()).isEqualTo(1);
      assertThat(idsIn(deadLetterLines())).containsExactly(ids.get("u0"));
    }
  }

  @Test
  void persistedBuyerOfAPoisonOrderGetsAPermanentSinkException() throws Exception {
    RefusingSink sink = new RefusingSink("u3");
    try (SeckillEngine e = engine(sink).durability(Durability.PERSISTED).build()) {
      e.registerSale(sale(10));
      List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        fs.add(e.submit(PurchaseRequest.of("s", "u" + i, 1)));
      }
      for (int i = 0; i < 10; i++) {
        CompletableFuture<PurchaseResult> f = fs.get(i);
        if (i == 3) {
          assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
              .hasCauseInstanceOf(PermanentSinkException.class)
              .hasMessageContaining("is confirmed in the ledger (its units are taken) but the"
                  + " sink refused it for good")
              .hasMessageContaining("dead-letters.jsonl");
        } else {
          PurchaseResult r = f.get(30, TimeUnit.SECONDS);
          assertThat(r.isConfirmed()).isTrue();
          assertThat(sink.stored.orders()).containsKey(r.orderId());
        }
      }
      assertThat(e.deadLetteredOrders()).isEqualTo(1);
      assertThat(e.snapshot("s").remaining()).isZero(); // the units stay taken in the ledger
    }
  }

  @Test
  void persistedListenerOfAPoisonOrderIsToldInOnFailed() throws Exception {
    RefusingSink sink = new RefusingSink("bad");
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    try (SeckillEngine e = engine(sink).durability(Durability.PERSISTED).build()) {
      e.registerSale(sale(10));
      e.submit(PurchaseRequest.of("s", "bad", 1), new PurchaseListener() {
        @Override
        public void onConfirmed(PurchaseRequest request, long orderId) {
          failed.completeExceptionally(new AssertionError("confirmed " + orderId));
        }

        @Override
        public void onRejected(PurchaseRequest request, Rejection reason) {
          failed.completeExceptionally(new AssertionError("rejected " + reason));
        }

        @Override
        public void onFailed(PurchaseRequest request, Throwable cause) {
          failed.complete(cause);
        }
      });
      assertThat(failed.get(30, TimeUnit.SECONDS)).isInstanceOf(PermanentSinkException.class)
          .hasRootCauseInstanceOf(IllegalArgumentException.class);
      assertThat(e.submit(PurchaseRequest.of("s", "good", 1)).get(30, TimeUnit.SECONDS)
          .isConfirmed()).isTrue();
    }
  }

  @Test
  void aTransientFailureIsRetriedNeverDeadLettered() throws Exception {
    InMemoryOrderSink sink = new InMemoryOrderSink();
    sink.failing(true);
    try (SeckillEngine e = engine(sink).closeTimeout(Duration.ZERO).build()) {
      e.registerSale(sale(100));
      Map<String, Long> ids = buyAll(e, 100);
      CompletableFuture<Void> flushed = e.flush();
      assertThat(flushed).isNotDone();
      sink.failing(false);
      flushed.get(30, TimeUnit.SECONDS);
      assertThat(sink.orders().keySet()).isEqualTo(new HashSet<>(ids.values()));
      assertThat(e.deadLetteredOrders()).isZero();
      assertThat(deadLetterFile()).doesNotExist();
    }
  }

  @Test
  void aCrashAfterTheDeadLetterWriteDoesNotWriteItTwice() throws Exception {
    RefusingSink sink = new RefusingSink("u5");
    sink.down = true;
    Map<String, Long> ids;
    try (SeckillEngine e = engine(sink).closeTimeout(Duration.ZERO).build()) {
      e.registerSale(sale(20));
      ids = buyAll(e, 20);
    }
    // As if the previous run wrote the dead letter, fsync'd it, and died before the watermark
    // passed it, in the middle of another line.
    long poison = ids.get("u5");
    Files.writeString(deadLetterFile(), "{\"orderId\":" + poison + ",\"saleId\":\"s\"}\n"
        + "{\"orderId\":99", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
    sink.down = false;
    try (SeckillEngine e = engine(sink).build()) {
      assertThat(e.deadLetteredOrders()).isEqualTo(1);
      assertThat(e.outboxSize()).isEqualTo(20);
      e.flush().get(30, TimeUnit.SECONDS);
      assertThat(sink.stored.orders()).hasSize(19).doesNotContainKey(poison);
      assertThat(e.deadLetteredOrders()).isEqualTo(1);
      assertThat(e.outboxSize()).isZero();
    }
    assertThat(deadLetterLines()).containsExactly("{\"orderId\":" + poison + ",\"saleId\":\"s\"}");
  }
}
