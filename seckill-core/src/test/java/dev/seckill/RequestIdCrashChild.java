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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The victim of {@link RequestIdCrashTest}: buys from several threads, each purchase carrying the
 * request id {@code req-<user>}, and prints {@code C <orderId> <userId>} for every confirmation
 * delivered, until it is killed. Runs in a child JVM. Arguments: dataDir.
 */
public final class RequestIdCrashChild {
  private RequestIdCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    SeckillEngine engine = RequestIdCrashTest.builder(dataDir)
        .clock(Clock.fixed(RequestIdCrashTest.START, ZoneOffset.UTC)).build();
    engine.registerSale(RequestIdCrashTest.sale());
    out.println("READY");
    AtomicInteger next = new AtomicInteger();
    Thread[] buyers = new Thread[4];
    for (int t = 0; t < buyers.length; t++) {
      buyers[t] = new Thread(() -> {
        while (true) {
          String user = "u" + next.getAndIncrement();
          PurchaseResult r = engine.submit(PurchaseRequest.of("retry", user, 1)
              .withRequestId("req-" + user)).join();
          if (r.isConfirmed()) {
            out.println("C " + r.orderId() + " " + user);
          } else if (r.rejection() == Rejection.SOLD_OUT) {
            return;
          }
        }
      });
      buyers[t].start();
    }
    for (Thread b : buyers) {
      b.join();
    }
    out.println("SOLD_OUT");
    engine.close();
  }
}
