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

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-thread outcome counters reported next to the score, as rates (per second) like the score:
 * confirmed orders, SOLD_OUT refusals and every other refusal.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Outcomes {
  public long confirmed;
  public long soldOut;
  public long rejected;

  @Setup(Level.Iteration)
  public void clear() {
    confirmed = 0;
    soldOut = 0;
    rejected = 0;
  }

  /** Adds one decision as returned by the ledger or a baseline (see {@link Decisions}). */
  public void add(long decision) {
    if (decision > 0) {
      confirmed++;
    } else if (decision == Decisions.SOLD_OUT) {
      soldOut++;
    } else {
      rejected++;
    }
  }

  /** Adds a finished batch's counts. */
  public void add(BatchListener l) {
    confirmed += l.confirmed();
    soldOut += l.refused(dev.seckill.Rejection.SOLD_OUT);
    rejected += l.refusedOther();
  }
}
