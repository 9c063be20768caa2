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
import java.util.SplittableRandom;

/**
 * The victim of {@link CrashRecoveryTest}: opens the engine on a data directory, buys as fast as
 * it can from several threads and prints {@code C <orderId> <userId>} for every confirmation the
 * engine has delivered, until it is killed or the sale sells out. Runs in a child JVM.
 *
 * <p>Arguments: dataDir, user-id prefix, number of users, seed.
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    String prefix = args[1];
    int users = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    SeckillEngine engine = SeckillEngine.builder().dataDir(dataDir)
        .clock(Clock.fixed(CrashRecoveryTest.START, ZoneOffset.UTC))
        .maxUsersPerShard(CrashRecoveryTest.MAX_USERS)
        .outboxCapacityPerShard(CrashRecoveryTest.OUTBOX).build();
    engine.registerSale(CrashRecoveryTest.sale());
    out.println("READY");
    Thread[] buyers = new Thread[4];
    for (int t = 0; t < buyers.length; t++) {
      SplittableRandom random = new SplittableRandom(seed + t);
      buyers[t] = new Thread(() -> {
        while (true) {
          String user = prefix + random.nextInt(users);
          PurchaseResult r = engine.submit(PurchaseRequest.of("crash", user, 1)).join();
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
