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

import dev.seckill.IdleStrategy;
import dev.seckill.PurchaseRequest;
import dev.seckill.Sale;
import dev.seckill.SaleSnapshot;
import dev.seckill.SeckillEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Expiry throughput (issue #12): one shard holds {@code N} unpaid reservations; the engine's clock
 * then jumps past all their deadlines at once and the run times how long the engine's own tick
 * takes to expire every one of them and give its unit back (held 0, remaining = stock). Also
 * reports the rate at which the reservations were made (one caller, {@value #BATCH} in flight).
 * Not JMH: one long event per run; the engine's snapshot is polled every millisecond (that poll
 * is the resolution).
 *
 * <pre>
 * java $FLAGS -Xmx2g -cp benchmarks.jar dev.seckill.bench.ExpiryRun [reservations] [runs]
 * </pre>
 */
public final class ExpiryRun {
  static final int BATCH = 64;
  static final Duration PAY_WITHIN = Duration.ofMinutes(1);

  private ExpiryRun() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    System.out.println("run,reservations,reserve_s,reserved_per_s,expire_s,expired_per_s,"
        + "remaining_after,held_after");
    for (int r = 1; r <= runs; r++) {
      run(r, n);
    }
  }

  private static void run(int run, int n) throws Exception {
    Path dir = Engines.tempDir("expiry");
    MovableClock clock = MovableClock.ticking();
    SeckillEngine engine = Engines.openForReservations(dir, IdleStrategy.BLOCKING, n + 1024L,
        clock);
    try {
      engine.registerSale(Sale.builder("expiry").stock(n).startsAt(Engines.OPEN)
          .endsAt(Engines.CLOSE).limitPerUser(1).payWithin(PAY_WITHIN).build());
      Crowd crowd = Crowd.distinct("expiry", "r" + run + "-", n);
      BatchListener l = new BatchListener();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i += BATCH) {
        int k = Math.min(BATCH, n - i);
        l.reset();
        l.begin(k);
        for (int j = 0; j < k; j++) {
          PurchaseRequest req = crowd.next();
          engine.submit(req, l);
        }
        l.await();
      }
      double reserveS = (System.nanoTime() - t0) / 1e9;
      SaleSnapshot before = engine.snapshot("expiry");
      if (before.held() != n) {
        throw new IllegalStateException("expected " + n + " held, got " + before);
      }
      clock.advance(PAY_WITHIN.toMillis() + 1);
      long t1 = System.nanoTime();
      SaleSnapshot s;
      while ((s = engine.snapshot("expiry")).held() > 0) {
        if (System.nanoTime() - t1 > 600_000_000_000L) {
          throw new IllegalStateException("not expired after 600 s: " + s);
        }
        LockSupport.parkNanos(1_000_000L);
      }
      double expireS = (System.nanoTime() - t1) / 1e9;
      System.out.printf("%d,%d,%.3f,%.0f,%.3f,%.0f,%d,%d%n", run, n, reserveS, n / reserveS,
          expireS, n / expireS, s.remaining(), s.held());
    } finally {
      Engines.closeAndDelete(engine, dir);
    }
  }
}
