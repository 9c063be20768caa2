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

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.seckill.Sale;
import java.time.Instant;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.openjdk.jcstress.infra.results.ZJJ_Result;
import org.openjdk.jcstress.infra.results.ZJ_Result;

/**
 * jcstress tests of {@link SaleState}'s publication protocol: the ledger writer calls
 * {@code applyConfirmed} (package-private, hence this package), any other thread reads. Run with
 * {@code mvn -B -pl seckill-bench -am -Pjcstress -DskipTests verify} (see docs/building.md).
 */
final class SaleStateStress {
  private SaleStateStress() {}

  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  static SaleState state(long stock) {
    Sale sale = Sale.builder("jcstress").stock(stock).startsAt(START)
        .endsAt(START.plusSeconds(3600)).limitPerUser(1).build();
    return new SaleState(sale, 0, 0, stock, 0);
  }

  /**
   * {@code publishedCounters()} (the seqlock) returns a pair from one moment: with 1-unit orders,
   * remaining + orders is always the initial stock, whatever the writer is doing.
   */
  @JCStressTest
  @Outcome(id = {"2, 0", "1, 1", "0, 2"}, expect = ACCEPTABLE, desc = "a pair from one moment")
  @Outcome(expect = FORBIDDEN, desc = "torn pair: remaining + orders != stock")
  @State
  public static class CountersArePaired {
    final SaleState state = state(2);

    @Actor
    public void writer() {
      state.applyConfirmed(1, 1);
      state.applyConfirmed(0, 2);
    }

    @Actor
    public void reader(LL_Result r) {
      SaleState.Counters c = state.publishedCounters();
      r.r1 = c.remaining();
      r.r2 = c.orders();
    }
  }

  /**
   * The control: {@code publishedRemaining()} then {@code publishedOrders()}, two separate reads, may pair
   * values from different moments. Seeing an interesting outcome here shows the harness can catch
   * the tearing that {@link CountersArePaired} forbids.
   */
  @JCStressTest
  @Outcome(id = {"2, 0", "1, 1", "0, 2"}, expect = ACCEPTABLE, desc = "a pair from one moment")
  @Outcome(expect = ACCEPTABLE_INTERESTING, desc = "torn: two reads, two moments")
  @State
  public static class SeparateReadsMayTear {
    final SaleState state = state(2);

    @Actor
    public void writer() {
      state.applyConfirmed(1, 1);
      state.applyConfirmed(0, 2);
    }

    @Actor
    public void reader(LL_Result r) {
      r.r1 = state.publishedRemaining();
      r.r2 = state.publishedOrders();
    }
  }

  /**
   * The sold-out flag is stored after the counters: a reader that sees it set then reads
   * remaining 0 and the final order count, from either view. The reverse does not hold: remaining
   * 0 with the flag not yet set is allowed (the flag is an early refusal, the ledger decides).
   */
  @JCStressTest
  @Outcome(id = "false, 1, 0", expect = ACCEPTABLE, desc = "before the sale")
  @Outcome(id = "false, 0, 1", expect = ACCEPTABLE_INTERESTING,
      desc = "counters published, flag not yet (allowed: the flag is stored last)")
  @Outcome(id = "true, 0, 1", expect = ACCEPTABLE, desc = "sold out, and the counters say so")
  @Outcome(expect = FORBIDDEN, desc = "a torn pair, or the flag seen before the counters it follows")
  @State
  public static class SoldOutImpliesCounters {
    final SaleState state = state(1);

    @Actor
    public void writer() {
      state.applyConfirmed(0, 1);
    }

    @Actor
    public void reader(ZJJ_Result r) {
      r.r1 = state.isSoldOut();
      SaleState.Counters c = state.publishedCounters();
      r.r2 = c.remaining();
      r.r3 = c.orders();
    }
  }

  /** The same with the single-value view callers use before the ring. */
  @JCStressTest
  @Outcome(id = "false, 1", expect = ACCEPTABLE, desc = "before the sale")
  @Outcome(id = "false, 0", expect = ACCEPTABLE_INTERESTING,
      desc = "remaining published, flag not yet (allowed: the flag is stored last)")
  @Outcome(id = "true, 0", expect = ACCEPTABLE, desc = "sold out, remaining 0")
  @Outcome(id = "true, 1", expect = FORBIDDEN, desc = "flag seen before the stock it reports")
  @State
  public static class SoldOutImpliesRemainingZero {
    final SaleState state = state(1);

    @Actor
    public void writer() {
      state.applyConfirmed(0, 1);
    }

    @Actor
    public void reader(ZJ_Result r) {
      r.r1 = state.isSoldOut();
      r.r2 = state.publishedRemaining();
    }
  }
}
