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

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The victim of {@link ReservationCrashTest}: on a clock fixed at the sale's start, reserves
 * every unit from four threads, paying every fourth reservation, and prints {@code R <orderId>}
 * for each reservation and {@code P <orderId>} for each payment the engine acknowledged; once
 * every unit is held it prints {@code HELD} and goes on (buying, refused ALL_HELD) until killed.
 * Runs in a child JVM. Argument: dataDir.
 */
public final class ReservationCrashChild {
  private ReservationCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    SeckillEngine engine = ReservationCrashTest.builder(dataDir)
        .clock(Clock.fixed(ReservationCrashTest.START, ZoneOffset.UTC)).build();
    engine.registerSale(ReservationCrashTest.sale());
    out.println("READY");
    AtomicInteger users = new AtomicInteger();
    AtomicBoolean held = new AtomicBoolean();
    Thread[] buyers = new Thread[4];
    for (int t = 0; t < buyers.length; t++) {
      buyers[t] = new Thread(() -> {
        while (true) {
          int n = users.getAndIncrement();
          PurchaseResult r = engine.submit(PurchaseRequest.of("resv", "user-" + n, 1)).join();
          if (r.isConfirmed()) {
            out.println("R " + r.orderId());
            if (n % 4 == 0) {
              OrderTransition paid = engine.pay(r.orderId(), "psp-" + r.orderId()).join();
              if (paid.applied()) {
                out.println("P " + r.orderId());
              }
            }
          } else if (r.rejection() == Rejection.ALL_HELD && held.compareAndSet(false, true)) {
            out.println("HELD");
          }
        }
      });
      buyers[t].setDaemon(true);
      buyers[t].start();
    }
    buyers[0].join(); // never: killed
  }
}
