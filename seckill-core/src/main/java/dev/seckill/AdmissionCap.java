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

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One sale's admission cap: counts the units in flight (published to the ring, decision not yet
 * delivered) and refuses a new request once they would exceed the remaining stock times a factor.
 *
 * <p>Threads: {@link #tryEnter} is called by caller threads, {@link #exit} by the shard's
 * responder (or by the caller when its publish failed); both are one atomic add, lock-free and
 * wait-free. A refused {@code tryEnter} adds and takes back, so a concurrent caller may briefly
 * see a count one request too high and be refused too: the cap is a soft early filter, the
 * ledger writer still decides every sale.
 *
 * <h2>Why it never leaves stock unsold</h2>
 * The cap follows live quantities, not lifetime counts: units in flight fall as every decision
 * is delivered (confirmed or refused, e.g. {@code LIMIT_REACHED}), and the limit is recomputed
 * from the remaining stock on each call. A request that finds nothing in flight is always
 * admitted, so while stock remains and buyers keep asking, some request reaches the writer.
 */
final class AdmissionCap {
  private static final VarHandle UNITS;

  static {
    try {
      UNITS = MethodHandles.lookup().findVarHandle(AdmissionCap.class, "units", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Units published and not yet delivered. */
  @SuppressWarnings("unused") // accessed through UNITS
  private volatile long units;

  /**
   * The most units that may be in flight for {@code remaining} units of stock with cap factor
   * {@code factor}; {@link Long#MAX_VALUE} if {@code factor} is 0 (the cap is off).
   */
  public static long limit(long remaining, double factor) {
    if (factor == 0) {
      return Long.MAX_VALUE;
    }
    double limit = Math.ceil(remaining * factor);
    return limit >= 0x1p63 ? Long.MAX_VALUE : (long) limit;
  }

  /**
   * Counts {@code quantity} units in flight unless that would take the count above
   * {@code limitUnits} while something else is already in flight; false (and nothing counted)
   * if refused.
   */
  public boolean tryEnter(int quantity, long limitUnits) {
    long before = (long) UNITS.getAndAdd(this, (long) quantity); // atomic add: the count
    if (before > 0 && before + quantity > limitUnits) {
      UNITS.getAndAdd(this, (long) -quantity); // atomic add: take the refused units back
      return false;
    }
    return true;
  }

  /** Takes {@code quantity} units out of flight: their decision was delivered. */
  public void exit(int quantity) {
    UNITS.getAndAdd(this, (long) -quantity); // atomic add
  }

  /** Units in flight now. */
  public long inFlight() {
    return (long) UNITS.getVolatile(this);
  }
}
