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
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZJ_Result;

/**
 * jcstress tests of {@link AdmissionCap}, the lock-free count of units in flight that caller
 * threads enter before the ring. Two buyers race for one unit of headroom.
 */
final class AdmissionCapStress {
  private AdmissionCapStress() {}

  /**
   * Nothing in flight, room for one unit: exactly one of two racing buyers is admitted. Both
   * admitted would put two units in flight for one; neither would leave the stock unsold while
   * buyers ask (the cap's promise: a request that finds nothing in flight is admitted).
   */
  @JCStressTest
  @Outcome(id = {"true, false, 1", "false, true, 1"}, expect = ACCEPTABLE, desc = "one admitted")
  @Outcome(id = "true, true, 2", expect = FORBIDDEN, desc = "two buyers, one unit, both admitted")
  @Outcome(expect = FORBIDDEN, desc = "neither admitted, or the count left wrong")
  @State
  public static class TwoBuyersOneUnit {
    final AdmissionCap cap = new AdmissionCap();

    @Actor
    public void buyerA(ZZJ_Result r) {
      r.r1 = cap.tryEnter(1, 1);
    }

    @Actor
    public void buyerB(ZZJ_Result r) {
      r.r2 = cap.tryEnter(1, 1);
    }

    @Arbiter
    public void inFlight(ZZJ_Result r) {
      r.r3 = cap.inFlight();
    }
  }

  /**
   * A delivery (exit) racing a new buyer: the count never goes below zero or keeps a unit that
   * was delivered; the buyer is admitted whichever comes first (one unit in flight, limit 2).
   */
  @JCStressTest
  @Outcome(id = "true, false, 1", expect = ACCEPTABLE, desc = "admitted; the delivered unit left")
  @Outcome(expect = FORBIDDEN, desc = "refused with room, or a wrong count")
  @State
  public static class DeliveryRacesABuyer {
    final AdmissionCap cap = new AdmissionCap();

    {
      cap.tryEnter(1, 2);
    }

    @Actor
    public void buyer(ZZJ_Result r) {
      r.r1 = cap.tryEnter(1, 2);
    }

    @Actor
    public void responder(ZZJ_Result r) {
      cap.exit(1);
      r.r2 = false;
    }

    @Arbiter
    public void inFlight(ZZJ_Result r) {
      r.r3 = cap.inFlight();
    }
  }
}
