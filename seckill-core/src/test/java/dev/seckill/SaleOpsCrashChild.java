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

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;

/**
 * The victim of {@link SaleOpsCrashTest}: registers two sales, buys, applies every sale
 * operation, prints {@code DONE} and waits to be killed (no close). Runs in a child JVM.
 * Arguments: dataDir.
 */
public final class SaleOpsCrashChild {
  private SaleOpsCrashChild() {}

  public static void main(String[] args) throws Exception {
    SeckillEngine engine = SaleOpsCrashTest.builder(Path.of(args[0]))
        .clock(Clock.fixed(SaleOpsCrashTest.NOW, ZoneOffset.UTC)).build();
    engine.registerSale(SaleOpsCrashTest.sale("a"));
    engine.registerSale(SaleOpsCrashTest.sale("b"));
    engine.submit(PurchaseRequest.of("a", "alice", 1)).join();
    engine.submit(PurchaseRequest.of("a", "bob", 1)).join();
    engine.addStock("a", 7).join();
    engine.submit(PurchaseRequest.of("a", "carol", 1)).join();
    engine.addStock("a", 3).join(); // the last change: no order after it
    engine.pauseSale("a").join();
    engine.extendSale("a", SaleOpsCrashTest.NOW.plus(Duration.ofDays(3))).join();
    engine.endSale("b").join();
    System.out.println("DONE");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // killed here
  }
}
