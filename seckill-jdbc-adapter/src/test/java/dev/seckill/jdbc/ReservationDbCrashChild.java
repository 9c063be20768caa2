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
package dev.seckill.jdbc;

import dev.seckill.OrderTransition;
import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.Rejection;
import dev.seckill.SeckillEngine;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The victim of {@link ReservationStatesCrashTest}, in a child JVM: an engine flushing into a
 * database with {@code orderStates(true)}, on a clock fixed at the sale's start, reserves every
 * unit from four threads, paying every fourth reservation and cancelling every seventh, prints
 * {@code HELD} once every unit is held and goes on until killed.
 *
 * <p>Arguments: dataDir, dialect, JDBC URL, table, and {@code summary} to keep the stock summary
 * (with paid and released units) too.
 */
public final class ReservationDbCrashChild {
  private ReservationDbCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    DataSource ds = CrashExactlyOnceTest.dataSource(Dialect.valueOf(args[1]), args[2]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    boolean summary = args.length > 4 && args[4].equals("summary");
    SeckillEngine engine = ReservationStatesCrashTest.engine(dataDir, ds, args[3], summary,
        Clock.fixed(ReservationStatesCrashTest.START, ZoneOffset.UTC));
    engine.registerSale(ReservationStatesCrashTest.sale());
    buyUntilKilled(engine, "resv", out);
  }

  /**
   * Reserves units of {@code saleId} from four threads, one new user per purchase, paying every
   * fourth reservation and cancelling every seventh; prints {@code HELD} on {@code out} the first
   * time a purchase is refused {@code ALL_HELD}; never returns (the test kills the JVM).
   */
  static void buyUntilKilled(SeckillEngine engine, String saleId, PrintStream out)
      throws InterruptedException {
    AtomicInteger users = new AtomicInteger();
    AtomicBoolean held = new AtomicBoolean();
    Thread[] buyers = new Thread[4];
    for (int t = 0; t < buyers.length; t++) {
      buyers[t] = new Thread(() -> {
        while (true) {
          int n = users.getAndIncrement();
          PurchaseResult r = engine.submit(PurchaseRequest.of(saleId, "user-" + n, 1)).join();
          if (r.isConfirmed()) {
            if (n % 4 == 0) {
              OrderTransition ignored = engine.pay(r.orderId(), "psp-" + r.orderId()).join();
            } else if (n % 7 == 0) {
              OrderTransition ignored = engine.cancel(r.orderId()).join();
            }
          } else if (r.rejection() == Rejection.ALL_HELD && held.compareAndSet(false, true)) {
            out.println("HELD");
          } else if (!r.isConfirmed()) {
            Thread.yield(); // a refusal (in cluster mode: while the next chunk comes)
          }
        }
      });
      buyers[t].setDaemon(true);
      buyers[t].start();
    }
    buyers[0].join(); // never: killed
  }
}
