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

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link ParkingWaitStrategy}'s wake-up protocol on a bare ring shaped like a shard's (many
 * producers, a writer, a responder gated on the writer), with parks bounded at an hour: a lost
 * wake-up would hang the test (its futures time out) instead of costing up to 100 ms.
 */
class ParkingWaitStrategyTest {
  static final int PRODUCERS = 8;
  static final int PER_PRODUCER = 50_000;
  static final int TOTAL = PRODUCERS * PER_PRODUCER;

  static final class Slot {
    int id = -1;
    long decidedAt = -1; // written by the writer
  }

  /** The writer's shape: decides, then at the end of each batch publishes and signals. */
  static final class Writer implements EventHandler<Slot> {
    final ParkingWaitStrategy waits;
    Sequence sequence;

    Writer(ParkingWaitStrategy waits) {
      this.waits = waits;
    }

    @Override
    public void setSequenceCallback(Sequence sequenceCallback) {
      sequence = sequenceCallback;
    }

    @Override
    public void onEvent(Slot slot, long seq, boolean endOfBatch) {
      slot.decidedAt = seq;
      if (endOfBatch) {
        sequence.setVolatile(seq);
        waits.signalDownstream();
      }
    }
  }

  /** The responder's shape: completes each slot's future, counting completions per id. */
  static final class Completer implements EventHandler<Slot> {
    final AtomicIntegerArray completions = new AtomicIntegerArray(TOTAL);
    final List<CompletableFuture<Long>> futures;
    final AtomicLong undecided = new AtomicLong();

    Completer(List<CompletableFuture<Long>> futures) {
      this.futures = futures;
    }

    @Override
    public void onEvent(Slot slot, long seq, boolean endOfBatch) {
      if (slot.decidedAt != seq) {
        undecided.incrementAndGet(); // the responder overtook the writer
      }
      completions.incrementAndGet(slot.id);
      futures.get(slot.id).complete(seq);
      slot.id = -1;
      slot.decidedAt = -1;
    }
  }

  @Test
  void everyPublishedEventIsDeliveredOnceWithoutLostWakeUps() throws Exception {
    ParkingWaitStrategy waits = new ParkingWaitStrategy(TimeUnit.HOURS.toNanos(1));
    List<CompletableFuture<Long>> futures = new ArrayList<>(TOTAL);
    for (int i = 0; i < TOTAL; i++) {
      futures.add(new CompletableFuture<>());
    }
    Completer completer = new Completer(futures);
    // A small ring: producers often find it full and retry, so the consumers go from idle to
    // busy and back many times — each transition a chance to lose a wake-up.
    Disruptor<Slot> disruptor = new Disruptor<>(Slot::new, 64, r -> {
      Thread t = new Thread(r, "parking-test-consumer");
      t.setDaemon(true);
      return t;
    }, ProducerType.MULTI, waits);
    waits.bind(disruptor.getRingBuffer());
    disruptor.handleEventsWith(new Writer(waits)).then(completer);
    RingBuffer<Slot> ring = disruptor.start();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int first = p * PER_PRODUCER;
      Thread t = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
        for (int i = first; i < first + PER_PRODUCER; i++) {
          int id = i;
          while (!ring.tryPublishEvent((slot, seq) -> slot.id = id)) {
            Thread.yield(); // full: the submit path answers OVERLOADED; here we retry
          }
          if ((i & 1023) == 0) {
            futures.get(i).join(); // now and then wait for a decision: the ring drains to idle
          }
        }
      }, "parking-test-producer-" + p);
      producers.add(t);
      t.start();
    }
    go.countDown();
    for (Thread t : producers) {
      t.join();
    }
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
        .get(5, TimeUnit.MINUTES); // a hang guard, not a timing assertion
    disruptor.shutdown();
    waits.wakeAll();

    assertThat(completer.undecided.get()).isZero();
    for (int i = 0; i < TOTAL; i++) {
      assertThat(completer.completions.get(i)).as("completions of event %d", i).isEqualTo(1);
    }
  }

  @Test
  void aSecondThreadInTheSameRoleIsRefused() throws Exception {
    ParkingWaitStrategy waits = new ParkingWaitStrategy();
    Sequence cursor = new Sequence(-1);
    com.lmax.disruptor.SequenceBarrier barrier = new ProbeBarrier();
    CountDownLatch parked = new CountDownLatch(1);
    Thread first = new Thread(() -> {
      parked.countDown();
      try {
        waits.waitFor(0, cursor, cursor, barrier);
      } catch (com.lmax.disruptor.AlertException e) {
        // expected at the end
      }
    });
    first.setDaemon(true);
    first.start();
    parked.await();
    // Bounded poll until the first thread is parked in its role.
    for (int i = 0; i < 1_000_000 && first.getState() != Thread.State.TIMED_WAITING; i++) {
      Thread.yield();
    }
    assertThat(first.getState()).isEqualTo(Thread.State.TIMED_WAITING);
    try {
      waits.waitFor(0, cursor, cursor, barrier);
      throw new AssertionError("a second cursor waiter was accepted");
    } catch (IllegalStateException expected) {
      assertThat(expected).hasMessageContaining("one thread per role");
    }
    ((ProbeBarrier) barrier).alert();
    waits.signalAllWhenBlocking();
    first.join();
  }

  /** A barrier that only carries the alert flag. */
  static final class ProbeBarrier implements com.lmax.disruptor.SequenceBarrier {
    volatile boolean alerted;

    @Override
    public long waitFor(long sequence) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long getCursor() {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isAlerted() {
      return alerted;
    }

    @Override
    public void alert() {
      alerted = true;
    }

    @Override
    public void clearAlert() {
      alerted = false;
    }

    @Override
    public void checkAlert() throws com.lmax.disruptor.AlertException {
      if (alerted) {
        throw com.lmax.disruptor.AlertException.INSTANCE;
      }
    }
  }
}
