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
import org.jspecify.annotations.Nullable;

/**
 * The two waiter slots of {@link ParkingWaitStrategy}, each on its own cache line: producers read
 * the cursor waiter's slot on every publish, the writer reads the downstream slot at every batch
 * end, and each waiter writes its own slot only on its way to a park. Padding by inheritance
 * (the JVM lays out a superclass's fields first), as Disruptor's {@code Sequence} does.
 */
final class ParkingWaitSlots {
  private ParkingWaitSlots() {}

  /** Cache-line padding before the cursor waiter's slot, which producers read on every publish. */
  @SuppressWarnings("unused")
  abstract static class Pad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
  }

  /** The cursor waiter's slot. */
  abstract static class Cursor extends Pad0 {
    /** The cursor waiter while it is registered, else null. Through {@code CURSOR_WAITER}. */
    @SuppressWarnings("unused")
    volatile @Nullable Thread cursorWaiter;
  }

  /** Padding between the two slots: the writer reads the downstream slot at every batch end. */
  @SuppressWarnings("unused")
  abstract static class Pad1 extends Cursor {
    long p10, p11, p12, p13, p14, p15, p16, p17;
  }

  /** The downstream waiter's slot. */
  abstract static class Downstream extends Pad1 {
    /** The downstream waiter while it is registered, else null. Through {@code DOWNSTREAM_WAITER}. */
    @SuppressWarnings("unused")
    volatile @Nullable Thread downstreamWaiter;
  }

  /** Padding after the slots, and their handles. */
  @SuppressWarnings("unused")
  abstract static class Fields extends Downstream {
    static final VarHandle CURSOR_WAITER;
    static final VarHandle DOWNSTREAM_WAITER;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        CURSOR_WAITER = lookup.findVarHandle(
            Cursor.class, "cursorWaiter", Thread.class);
        DOWNSTREAM_WAITER = lookup.findVarHandle(
            Downstream.class, "downstreamWaiter", Thread.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    long p20, p21, p22, p23, p24, p25, p26, p27;
  }
}
