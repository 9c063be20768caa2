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

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The wait strategy of {@link IdleStrategy#BLOCKING}: every consumer of a shard's ring parks when
 * it has nothing to do, including while it waits for the consumer before it — which Disruptor
 * 4.0.0's {@code BlockingWaitStrategy} and {@code LiteBlockingWaitStrategy} do not: they wait on
 * a monitor only for the ring's cursor, then spin ({@code Thread.onSpinWait}) until the upstream
 * consumer's sequence catches up. Under load that kept the responder spinning for as long as the
 * ledger writer worked on a batch: most of a core, on a machine with two.
 *
 * <p>Two roles, at most one thread each (one shard: the ledger writer, then the responder):
 * <ul>
 *   <li>the <b>cursor waiter</b> (the writer; its barrier has no upstream consumer) waits until
 *       sequence {@code s} is <em>published</em>. It parks while no producer has claimed
 *       {@code s}; producers signal it from {@link #signalAllWhenBlocking()} after each publish.
 *       Between a producer's claim and its publish (a few stores) it spins, then yields: on two
 *       cores the producer may be off its core, and yielding hands it back.
 *   <li>the <b>downstream waiter</b> (the responder) waits until the writer's sequence reaches
 *       {@code s}. It parks; the writer signals it with {@link #signalDownstream()} at the end of
 *       each batch, after publishing its sequence ({@link LedgerHandler}).
 * </ul>
 *
 * <p>The protocol, the same for both roles (a Dekker pair: each side stores, then loads what the
 * other stores, with a full fence between):
 * <ol>
 *   <li>The waiter <b>registers</b> (a volatile store of its thread into the role's slot), issues a
 *       full fence, then <b>re-checks</b> the sequence it waits for. Only if that is still behind
 *       does it park.
 *   <li>The signaller first makes the sequence visible (the producer's claim is a CAS on the
 *       cursor; the writer's {@link Sequence#setVolatile}, which ends in a full fence), then reads
 *       the slot; if a thread is there, it takes it out (a CAS, so of several signallers only one
 *       pays for the {@code unpark}) and unparks it.
 * </ol>
 * Either the waiter's re-check sees the new sequence, or the signaller's read sees the waiter:
 * no wake-up is lost. A waiter that wakes re-checks and re-registers, so spurious wake-ups are
 * harmless. A signaller that finds the slot empty pays one volatile read and nothing else: the
 * submit path does not take a lock ({@code BlockingWaitStrategy} takes a monitor on every
 * publish).
 *
 * <p>Halting ({@code Disruptor.halt}): each barrier's {@code alert()} sets its flag and calls
 * {@link #signalAllWhenBlocking()}, which wakes the cursor waiter; {@link Shard#close} then calls
 * {@link #wakeAll()} for the downstream waiter, which re-checks its alert after registering.
 * Every park is also bounded ({@link #DEFAULT_MAX_PARK_NANOS}): a signal lost to a bug, or a
 * halt by someone who does not call {@link #wakeAll()}, costs at most that much latency, never a
 * hang. Idle, a waiter therefore wakes {@code 1 s / maxPark} times a second (10 at the
 * default), each for a few microseconds.
 */
final class ParkingWaitStrategy extends ParkingWaitSlots.Fields implements WaitStrategy {
  /** The longest a waiter parks before it re-checks on its own: the bound on a lost signal. */
  static final long DEFAULT_MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** Spins on a claimed, not yet published slot before yielding. */
  private static final int CLAIM_SPINS = 64;

  private final long maxParkNanos;
  /** The ring whose publication the cursor waiter checks; null until {@link #bind}. */
  private @Nullable RingBuffer<?> ring;
  /**
   * The threads that took each role, for the one-thread-per-role check; volatile so that the
   * check sees another thread's claim. Read only on the way to a park.
   */
  private volatile @Nullable Thread cursorOwner;
  private volatile @Nullable Thread downstreamOwner;

  /** A strategy whose waiters park at most {@link #DEFAULT_MAX_PARK_NANOS} at a time. */
  ParkingWaitStrategy() {
    this(DEFAULT_MAX_PARK_NANOS);
  }

  /**
   * A strategy whose waiters park at most {@code maxParkNanos} at a time; tests pass a long
   * bound so that a lost wake-up shows up as a hang instead of as latency.
   */
  ParkingWaitStrategy(long maxParkNanos) {
    if (maxParkNanos <= 0) {
      throw new IllegalArgumentException("maxParkNanos must be > 0, was " + maxParkNanos);
    }
    this.maxParkNanos = maxParkNanos;
  }

  /**
   * Lets the cursor waiter tell a claimed slot from a published one (multi-producer rings advance
   * the cursor at the claim). Call before the ring's consumers start.
   */
  void bind(RingBuffer<?> ring) {
    this.ring = ring;
  }

  @Override
  public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence,
      SequenceBarrier barrier) throws AlertException {
    // A barrier with no upstream consumer waits on the cursor itself (ProcessingSequenceBarrier).
    return dependentSequence == cursor
        ? awaitPublished(sequence, cursor, barrier)
        : awaitUpstream(sequence, dependentSequence, barrier);
  }

  private long awaitPublished(long sequence, Sequence cursor, SequenceBarrier barrier)
      throws AlertException {
    int claimSpins = 0;
    while (true) {
      long available = cursor.get();
      if (available >= sequence) {
        RingBuffer<?> r = ring;
        if (r == null || r.isAvailable(sequence)) {
          return available;
        }
        // Claimed, not yet published: the producer is between tryNext and publish.
        barrier.checkAlert();
        if (claimSpins++ < CLAIM_SPINS) {
          Thread.onSpinWait();
        } else {
          Thread.yield(); // the producer may be off its core: give it this one
        }
        continue;
      }
      barrier.checkAlert();
      Thread me = Thread.currentThread();
      if (cursorOwner != me) {
        cursorOwner = checkRole(cursorOwner, me, "cursor");
      }
      CURSOR_WAITER.setVolatile(this, me); // 1. register
      VarHandle.fullFence();
      try {
        if (cursor.get() < sequence) { // 2. re-check: a claim after this sees us registered
          barrier.checkAlert();
          LockSupport.parkNanos(this, maxParkNanos);
        }
      } finally {
        CURSOR_WAITER.compareAndSet(this, me, null); // unless a signaller took us out already
      }
    }
  }

  private long awaitUpstream(long sequence, Sequence upstream, SequenceBarrier barrier)
      throws AlertException {
    long available;
    while ((available = upstream.get()) < sequence) {
      barrier.checkAlert();
      Thread me = Thread.currentThread();
      if (downstreamOwner != me) {
        downstreamOwner = checkRole(downstreamOwner, me, "downstream");
      }
      DOWNSTREAM_WAITER.setVolatile(this, me); // 1. register
      VarHandle.fullFence();
      try {
        if (upstream.get() < sequence) { // 2. re-check: the writer's next batch end sees us
          barrier.checkAlert(); // after registering: wakeAll() after an alert sees us
          LockSupport.parkNanos(this, maxParkNanos);
        }
      } finally {
        DOWNSTREAM_WAITER.compareAndSet(this, me, null);
      }
    }
    return available;
  }

  private static Thread checkRole(@Nullable Thread owner, Thread me, String role) {
    if (owner != null && owner.isAlive()) {
      throw new IllegalStateException("ParkingWaitStrategy: a second thread (" + me.getName()
          + ") waits as the " + role + " waiter, held by " + owner.getName()
          + "; one thread per role");
    }
    return me;
  }

  /**
   * Wakes the cursor waiter if it is parked: called by producers after each publish, and by a
   * barrier's {@code alert()}. One volatile read when nobody waits.
   */
  @Override
  public void signalAllWhenBlocking() {
    Thread waiter = (Thread) CURSOR_WAITER.getVolatile(this);
    if (waiter != null && CURSOR_WAITER.compareAndSet(this, waiter, null)) {
      LockSupport.unpark(waiter);
    }
  }

  /**
   * Wakes the downstream waiter if it is parked. The upstream consumer calls it at the end of each
   * batch, after publishing its sequence with {@link Sequence#setVolatile} (whose full fence
   * orders that store before this read).
   */
  void signalDownstream() {
    Thread waiter = (Thread) DOWNSTREAM_WAITER.getVolatile(this);
    if (waiter != null && DOWNSTREAM_WAITER.compareAndSet(this, waiter, null)) {
      LockSupport.unpark(waiter);
    }
  }

  /** Wakes both waiters unconditionally; for a halt, after the barriers are alerted. */
  void wakeAll() {
    VarHandle.fullFence();
    LockSupport.unpark((Thread) CURSOR_WAITER.getVolatile(this));
    LockSupport.unpark((Thread) DOWNSTREAM_WAITER.getVolatile(this));
  }

  @Override
  public String toString() {
    return "ParkingWaitStrategy{maxParkNanos=" + maxParkNanos + "}";
  }
}
