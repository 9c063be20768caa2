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

import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.Rejection;
import dev.seckill.SeckillEngine;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.sql.DataSource;

/**
 * The victim of {@link CrashExactlyOnceTest}, run in a child JVM: an engine flushing into a real
 * database through {@link JdbcOrderSink}, buying from four threads and printing
 * {@code C <orderId>} for each confirmation, until it is killed.
 *
 * <p>Arguments: dataDir, dialect, JDBC URL, table.
 */
public final class EngineCrashChild {
  private EngineCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    Dialect dialect = Dialect.valueOf(args[1]);
    DataSource ds = CrashExactlyOnceTest.dataSource(dialect, args[2]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    SeckillEngine engine = CrashExactlyOnceTest.engine(dataDir, ds, args[3]);
    engine.registerSale(CrashExactlyOnceTest.sale());
    Thread[] buyers = new Thread[4];
    for (int t = 0; t < buyers.length; t++) {
      SplittableRandom random = new SplittableRandom(t);
      buyers[t] = new Thread(() -> {
        while (true) {
          PurchaseResult r = engine.submit(
              PurchaseRequest.of("crash", "child-" + random.nextInt(200_000), 1)).join();
          if (r.isConfirmed()) {
            out.println("C " + r.orderId());
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
