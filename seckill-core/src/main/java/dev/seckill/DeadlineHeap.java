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

import java.util.Arrays;

/**
 * The pay-by deadlines of one shard's reservations: a binary min-heap of (deadline, order id)
 * pairs in two primitive arrays, on the heap of the JVM and rebuilt from the
 * {@link ReservationTable} on every open. Entries are not removed when a reservation is paid or
 * cancelled: the tick pops them at their deadline and skips those no longer
 * {@link OrderState#RESERVED} (lazy deletion). It holds at most one entry per reservation
 * entry in the table (a terminal entry is reclaimed only after its heap entry was popped, see
 * {@link ReservationTable#sweep}), so it is bounded by {@code maxReservationsPerShard}; the arrays
 * grow by doubling up to it, so an engine without reservations allocates almost nothing.
 *
 * <p>Threads: the shard's ledger writer only (or the opening thread).
 */
final class DeadlineHeap {
  private long[] deadlines = new long[16];
  private long[] ids = new long[16];
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The earliest deadline, or {@link Long#MAX_VALUE} if empty. */
  long minDeadline() {
    return size == 0 ? Long.MAX_VALUE : deadlines[0];
  }

  /** The order id of the earliest deadline; only if not empty. */
  long minOrderId() {
    return ids[0];
  }

  void push(long deadline, long orderId) {
    if (size == deadlines.length) {
      deadlines = Arrays.copyOf(deadlines, size * 2);
      ids = Arrays.copyOf(ids, size * 2);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (deadlines[parent] <= deadline) {
        break;
      }
      deadlines[i] = deadlines[parent];
      ids[i] = ids[parent];
      i = parent;
    }
    deadlines[i] = deadline;
    ids[i] = orderId;
  }

  /** Removes the earliest entry; only if not empty. */
  void pop() {
    int last = --size;
    long d = deadlines[last];
    long id = ids[last];
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= last) {
        break;
      }
      if (child + 1 < last && deadlines[child + 1] < deadlines[child]) {
        child++;
      }
      if (deadlines[child] >= d) {
        break;
      }
      deadlines[i] = deadlines[child];
      ids[i] = ids[child];
      i = child;
    }
    if (last > 0) {
      deadlines[i] = d;
      ids[i] = id;
    }
  }
}
