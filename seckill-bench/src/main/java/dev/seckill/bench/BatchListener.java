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
package dev.seckill.bench;

import dev.seckill.PurchaseListener;
import dev.seckill.PurchaseRequest;
import dev.seckill.Rejection;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One caller thread's listener for batches: the caller submits {@code n} requests, then waits
 * until all {@code n} are decided. Allocation-free. Decisions made on the responder thread and
 * refusals made on the caller thread are counted in separate arrays, so each array has one writer;
 * the caller reads them after {@link #await()}, which orders after the last decision.
 */
public final class BatchListener implements PurchaseListener {
  private static final VarHandle PENDING;
  /** Cached: {@code Rejection.values()} allocates a new array on every call. */
  private static final Rejection[] ALL = Rejection.values();
  private static final int REASONS = ALL.length;

  static {
    try {
      PENDING = MethodHandles.lookup().findVarHandle(BatchListener.class, "pending", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Thread owner;
  @SuppressWarnings("unused") // accessed through PENDING
  private volatile int pending;
  private long confirmedByResponder;
  private final long[] refusedByResponder = new long[REASONS];
  private final long[] refusedByCaller = new long[REASONS];
  private long failed;

  /** A listener for batches submitted by the current thread. */
  public BatchListener() {
    this.owner = Thread.currentThread();
  }

  /** Expects {@code n} decisions; call before submitting them. */
  public void begin(int n) {
    PENDING.setVolatile(this, n);
  }

  /** Waits until every decision of the batch has arrived: spins briefly, then parks. */
  public void await() {
    for (int spins = 0; (int) PENDING.getVolatile(this) != 0; spins++) {
      if (spins < 200) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(this, 100_000L);
      }
    }
  }

  @Override
  public void onConfirmed(PurchaseRequest request, long orderId) {
    confirmedByResponder++;
    done();
  }

  @Override
  public void onRejected(PurchaseRequest request, Rejection reason) {
    if (Thread.currentThread() == owner) {
      refusedByCaller[reason.ordinal()]++;
    } else {
      refusedByResponder[reason.ordinal()]++;
    }
    done();
  }

  @Override
  public void onFailed(PurchaseRequest request, Throwable cause) {
    failed++;
    done();
  }

  private void done() {
    if ((int) PENDING.getAndAdd(this, -1) == 1 && Thread.currentThread() != owner) {
      LockSupport.unpark(owner);
    }
  }

  public long confirmed() {
    return confirmedByResponder;
  }

  /** Refusals for {@code reason}, wherever decided. */
  public long refused(Rejection reason) {
    return refusedByCaller[reason.ordinal()] + refusedByResponder[reason.ordinal()];
  }

  /** All refusals other than SOLD_OUT. */
  public long refusedOther() {
    long sum = failed;
    for (Rejection r : ALL) {
      if (r != Rejection.SOLD_OUT) {
        sum += refused(r);
      }
    }
    return sum;
  }

  /** Zeroes the counters; only between batches. */
  public void reset() {
    confirmedByResponder = 0;
    failed = 0;
    java.util.Arrays.fill(refusedByCaller, 0);
    java.util.Arrays.fill(refusedByResponder, 0);
  }
}
