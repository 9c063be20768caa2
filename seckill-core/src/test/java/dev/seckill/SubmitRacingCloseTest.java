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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Submitters racing {@code close()}: each submit is either accepted — and then its future or
 * listener is completed by the time {@code close()} returns, exactly once — or throws
 * {@link IllegalStateException}. No counter on the submit path settles this any more; the shard's
 * claim-then-check handshake does ({@link Shard#tryPublish}).
 */
class SubmitRacingCloseTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final int SUBMITTERS = 6;

  @TempDir Path dir;

  /** Counts its calls. */
  static final class Counting implements PurchaseListener {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void onConfirmed(PurchaseRequest request, long orderId) {
      calls.incrementAndGet();
    }

    @Override
    public void onRejected(PurchaseRequest request, Rejection reason) {
      calls.incrementAndGet();
    }

    @Override
    public void onFailed(PurchaseRequest request, Throwable cause) {
      calls.incrementAndGet();
    }
  }

  @RepeatedTest(5)
  void everySubmitRacingCloseIsCompletedOrRefused() throws Exception {
    SeckillEngine e = SeckillEngine.builder().dataDir(dir).shards(2).ringSize(256)
        .maxUsersPerShard(400_000).outboxCapacityPerShard(400_000).build();
    e.registerSale(Sale.builder("hot").stock(1_000_000).startsAt(Instant.now().minusSeconds(60))
        .endsAt(Instant.now().plus(Duration.ofHours(1))).limitPerUser(1).maxPerRequest(1).build());
    ConcurrentLinkedQueue<CompletableFuture<PurchaseResult>> futures =
        new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Counting> listeners = new ConcurrentLinkedQueue<>();
    AtomicInteger refused = new AtomicInteger();
    CountDownLatch warmedUp = new CountDownLatch(SUBMITTERS);
    List<Thread> submitters = new ArrayList<>();
    for (int t = 0; t < SUBMITTERS; t++) {
      int me = t;
      Thread s = new Thread(() -> {
        for (int i = 0; ; i++) {
          if (i == 1_000) {
            warmedUp.countDown(); // submitting steadily: now close
          }
          PurchaseRequest r = PurchaseRequest.of("hot", "u" + me + "-" + i, 1);
          try {
            if ((i & 1) == 0) {
              CompletableFuture<PurchaseResult> f = e.submit(r);
              futures.add(f);
            } else {
              Counting l = new Counting();
              listeners.add(l); // added first: if submit throws, no call may ever come
              try {
                e.submit(r, l);
              } catch (IllegalStateException closed) {
                listeners.remove(l);
                assertThat(l.calls.get()).isZero();
                throw closed;
              }
            }
          } catch (IllegalStateException closed) {
            refused.incrementAndGet();
            if (i < 1_000) {
              warmedUp.countDown();
            }
            return;
          }
        }
      }, "racer-" + t);
      submitters.add(s);
      s.start();
    }
    warmedUp.await();
    e.close();
    // Everything accepted before close() returned is answered by now.
    for (CompletableFuture<PurchaseResult> f : futures) {
      assertThat(f).isDone();
    }
    for (Counting l : listeners) {
      assertThat(l.calls.get()).isLessThanOrEqualTo(1);
    }
    for (Thread s : submitters) {
      s.join();
    }
    // Submitters that were accepted after close() returned cannot exist: each ended on a refusal.
    assertThat(refused.get()).isEqualTo(SUBMITTERS);
    for (CompletableFuture<PurchaseResult> f : futures) {
      assertThat(f).isDone();
    }
    for (Counting l : listeners) {
      assertThat(l.calls.get()).as("calls of an accepted listener").isEqualTo(1);
    }
    assertThat(e.saleState("hot").admissionCap().inFlight()).isZero();
  }
}
