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

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A log-scale histogram of durations in nanoseconds with one writer thread and any number of
 * reader threads: a shard's submit-to-decision latency, recorded by its responder.
 *
 * <p>Buckets: values 0–7 ns exactly, then every power of two split into 8 equal buckets, so a
 * bucket's width is at most 1/8 of its lower bound (quantiles are exact to within 12.5%, reported
 * as the bucket's highest value). The whole {@code long} range fits in {@value #BUCKETS} buckets;
 * nothing is clamped.
 *
 * <p>Threads: {@link #record} only from the one writer thread (it reads then writes each counter,
 * without a CAS; a release store publishes it); the readers may run on any thread and see each
 * counter's latest value, though not an atomic snapshot of all of them (a quantile may be read
 * while a sample lands; the error is one sample). No lock, no allocation on {@link #record}.
 */
final class LatencyHistogram {
  /** Buckets per power of two, as a power of two. */
  private static final int SUB_BITS = 3;
  private static final int SUB = 1 << SUB_BITS;
  /** Buckets for every non-negative long. */
  static final int BUCKETS = (62 - SUB_BITS + 1) * SUB + SUB;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong totalNanos = new AtomicLong();

  /** Records one duration; negative values count as 0. Only from the writer thread. */
  void record(long nanos) {
    long v = Math.max(0, nanos);
    int i = bucket(v);
    counts.setRelease(i, counts.getPlain(i) + 1);
    totalNanos.setRelease(totalNanos.getPlain() + v);
    count.setRelease(count.getPlain() + 1);
  }

  /** The bucket of a non-negative value. */
  static int bucket(long v) {
    if (v < SUB) {
      return (int) v;
    }
    int msb = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS
    return (msb - SUB_BITS + 1) * SUB + (int) ((v >>> (msb - SUB_BITS)) & (SUB - 1));
  }

  /** The highest value that falls in bucket {@code i}. */
  static long highestValue(int i) {
    if (i < SUB) {
      return i;
    }
    int msb = i / SUB + SUB_BITS - 1;
    int sub = i % SUB;
    long lowest = (long) (SUB + sub) << (msb - SUB_BITS);
    return lowest + (1L << (msb - SUB_BITS)) - 1;
  }

  /** Samples recorded so far. Any thread. */
  long count() {
    return count.get();
  }

  /** The sum of the samples recorded so far, in nanoseconds. Any thread. */
  long totalNanos() {
    return totalNanos.get();
  }

  /**
   * The smallest bucket value at or below which at least {@code phi} of the samples lie (the
   * bucket's highest value), in nanoseconds; -1 before any sample. Any thread.
   *
   * @param phi in (0, 1]
   */
  long quantileNanos(double phi) {
    long[] snapshot = new long[BUCKETS];
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      snapshot[i] = counts.get(i);
      total += snapshot[i];
    }
    if (total == 0) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(phi * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += snapshot[i];
      if (seen >= rank) {
        return highestValue(i);
      }
    }
    return highestValue(BUCKETS - 1);
  }
}
