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

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the default {@link IdleStrategy#BLOCKING}, a shard's threads park: when the engine is idle,
 * and — what Disruptor's own BlockingWaitStrategy did not do — the responder while the ledger
 * writer is busy with a batch. And no decision is lost to a missed wake-up.
 */
class ResponderParkingTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;

  /** A fixed clock that can hold the ledger writer (which stamps each order) when armed. */
  static final class HoldingClock extends Clock {
    final Instant now = START.plusSeconds(1);
    volatile boolean armed;
    final CountDownLatch writerInside = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile Thread writer;

    @Override
    public long millis() {
      Thread me = Thread.currentThread();
      if (armed && me.getName().startsWith("seckill-ledger-")) {
        writer = me;
        writerInside.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return now.toEpochMilli();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /** Records the thread that delivered the decision. */
  static final class ThreadOf implements PurchaseListener {
    final CompletableFuture<Thread> thread = new CompletableFuture<>();

    @Override
    public void onConfirmed(PurchaseRequest request, long orderId) {
      thread.complete(Thread.currentThread());
    }

    @Override
    public void onRejected(PurchaseRequest request, Rejection reason) {
      thread.complete(Thread.currentThread());
    }

    @Override
    public void onFailed(PurchaseRequest request, Throwable cause) {
      thread.complete(Thread.currentThread());
    }
  }

  SeckillEngine engine(Clock clock) {
    return SeckillEngine.builder().dataDir(dir).clock(clock).maxUsersPerShard(200_000)
        .outboxCapacityPerShard(200_000).build();
  }

  static Sale sale(long stock) {
    return Sale.builder("hot").stock(stock).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(1).maxPerRequest(1).build();
  }

  /** Polls (bounded, no sleep) until {@code t} is parked; its state then. */
  static Thread.State awaitParked(Thread t) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // a hang guard only
    Thread.State state = t.getState();
    while (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING
        && System.nanoTime() - deadline < 0) {
      Thread.yield();
      state = t.getState();
    }
    return state;
  }

  static boolean parkedInParkingWaitStrategy(Thread t) {
    return Arrays.stream(t.getStackTrace())
        .anyMatch(f -> f.getClassName().equals(ParkingWaitStrategy.class.getName()));
  }

  @Test
  void anIdleEnginesResponderAndWriterPark() throws Exception {
    HoldingClock clock = new HoldingClock();
    try (SeckillEngine e = engine(clock)) {
      e.registerSale(sale(1_000));
      ThreadOf last = null;
      for (int i = 0; i < 100; i++) {
        last = new ThreadOf();
        e.submit(PurchaseRequest.of("hot", "u" + i, 1), last);
      }
      Thread responder = last.thread.get(30, TimeUnit.SECONDS); // the ring has drained
      assertThat(responder.getName()).isEqualTo("seckill-responder-0");
      assertThat(awaitParked(responder)).isIn(Thread.State.WAITING, Thread.State.TIMED_WAITING);
      Thread writer = threadNamed("seckill-ledger-0");
      assertThat(awaitParked(writer)).isIn(Thread.State.WAITING, Thread.State.TIMED_WAITING);
      // Parked for work, in the strategy (not, say, in a callback or a sink).
      assertThat(awaitParkedIn(responder)).isTrue();
      assertThat(awaitParkedIn(writer)).isTrue();
    }
  }

  @Test
  void theResponderParksWhileTheWriterIsBusy() throws Exception {
    HoldingClock clock = new HoldingClock();
    try (SeckillEngine e = engine(clock)) {
      e.registerSale(sale(1_000));
      ThreadOf first = new ThreadOf();
      e.submit(PurchaseRequest.of("hot", "first", 1), first);
      Thread responder = first.thread.get(30, TimeUnit.SECONDS);
      clock.armed = true;
      ThreadOf held = new ThreadOf();
      try {
        e.submit(PurchaseRequest.of("hot", "held", 1), held); // published; the writer is held
        assertThat(clock.writerInside.await(30, TimeUnit.SECONDS)).isTrue();
        // The ring's cursor is past the responder's next slot, the writer's sequence is not:
        // Disruptor's BlockingWaitStrategy spins here (RUNNABLE); ours parks.
        assertThat(awaitParked(responder)).isIn(Thread.State.WAITING, Thread.State.TIMED_WAITING);
        assertThat(awaitParkedIn(responder)).isTrue();
        assertThat(held.thread.isDone()).isFalse();
      } finally {
        clock.armed = false;
        clock.release.countDown(); // else close() would wait for the held writer forever
      }
      assertThat(held.thread.get(30, TimeUnit.SECONDS)).isSameAs(responder);
    }
  }

  @Test
  void manySubmittersEveryDecisionDeliveredOnce() throws Exception {
    int threads = 8;
    int perThread = 20_000;
    int total = threads * perThread;
    long stock = total / 2; // half confirmed, half SOLD_OUT: both kinds of delivery
    AtomicIntegerArray calls = new AtomicIntegerArray(total);
    AtomicLong confirmed = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CountDownLatch all = new CountDownLatch(total);
    List<PurchaseRequest> requests = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      requests.add(PurchaseRequest.of("hot", "user-" + i, 1));
    }
    try (SeckillEngine e = engine(new HoldingClock())) {
      e.registerSale(sale(stock));
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> submitters = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t * perThread;
        Thread s = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException ex) {
            throw new AssertionError(ex);
          }
          for (int i = first; i < first + perThread; i++) {
            int id = i;
            e.submit(requests.get(i), new PurchaseListener() {
              @Override
              public void onConfirmed(PurchaseRequest r, long orderId) {
                confirmed.incrementAndGet();
                done(id);
              }

              @Override
              public void onRejected(PurchaseRequest r, Rejection reason) {
                rejected.incrementAndGet();
                done(id);
              }

              @Override
              public void onFailed(PurchaseRequest r, Throwable cause) {
                failed.incrementAndGet();
                done(id);
              }

              private void done(int id) {
                calls.incrementAndGet(id);
                all.countDown();
              }
            });
          }
        }, "submitter-" + t);
        submitters.add(s);
        s.start();
      }
      go.countDown();
      for (Thread s : submitters) {
        s.join();
      }
      assertThat(all.await(5, TimeUnit.MINUTES)).isTrue(); // a hang guard, not a timing assertion
      SaleState state = e.saleState("hot");
      assertThat(state.admissionCap().inFlight()).isZero();
      assertThat(confirmed.get()).isEqualTo(state.publishedOrders()).isLessThanOrEqualTo(stock);
    }
    for (int i = 0; i < total; i++) {
      assertThat(calls.get(i)).as("listener calls for request %d", i).isEqualTo(1);
    }
    assertThat(failed.get()).isZero();
    assertThat(confirmed.get() + rejected.get()).isEqualTo(total);
  }

  private static boolean awaitParkedIn(Thread t) {
    for (int i = 0; i < 1_000; i++) {
      if (parkedInParkingWaitStrategy(t)) {
        return true;
      }
      Thread.yield();
    }
    return false;
  }

  private static Thread threadNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name) && t.isAlive())
        .findFirst().orElseThrow(() -> new AssertionError("no live thread " + name));
  }
}
