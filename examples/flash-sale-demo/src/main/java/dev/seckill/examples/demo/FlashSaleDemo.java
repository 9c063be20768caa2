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
package dev.seckill.examples.demo;

import dev.seckill.examples.demo.FlashSaleSimulation.Report;
import dev.seckill.examples.demo.FlashSaleSimulation.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Runs a simulated flash sale on embedded defaults (a temporary data directory, no external
 * services) and prints what happened.
 *
 * <pre>
 * mvn -B -q -DskipTests install &amp;&amp; mvn -B -q -pl examples/flash-sale-demo exec:exec
 * mvn -B -q -pl examples/flash-sale-demo exec:exec -Ddemo.args="--users 100000 --threads 8"
 * </pre>
 *
 * Options: --users, --requests, --threads, --stock, --limit, --window, --seed.
 */
public final class FlashSaleDemo {
  private FlashSaleDemo() {}

  public static void main(String[] args) throws Exception {
    Settings s = parse(args);
    Path dataDir = Files.createTempDirectory("seckill-demo-");
    try {
      System.out.printf(Locale.ROOT, "seckill demo: %,d users send %,d requests from %d threads"
              + " for %,d units (limit %d per user); data dir %s%n",
          s.users(), s.requests(), s.threads(), s.stock(), s.limitPerUser(), dataDir);
      Report r = FlashSaleSimulation.run(s, dataDir);
      print(r);
      if (!r.orderIdsUnique() || r.confirmedUnits() > s.stock()
          || r.maxUnitsPerUser() > s.limitPerUser()
          || r.snapshot().unitsSold() != r.confirmedUnits()) {
        System.out.println("INVARIANT VIOLATED");
        System.exit(1);
      }
    } finally {
      deleteRecursively(dataDir);
    }
  }

  static void print(Report r) {
    System.out.printf(Locale.ROOT, "sold:        %,d of %,d units in %,d orders (ledger says %,d sold,"
            + " %,d remaining, phase %s)%n",
        r.confirmedUnits(), r.settings().stock(), r.confirmedOrders(), r.snapshot().unitsSold(),
        r.snapshot().remaining(), r.snapshot().phase());
    System.out.println("rejected:    " + r.rejections());
    System.out.printf(Locale.ROOT, "throughput:  %,.0f decisions/s (%,d requests in %.3f s)%n",
        r.decisionsPerSecond(), r.settings().requests(), r.elapsed().toNanos() / 1e9);
    System.out.printf(Locale.ROOT, "latency:     p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us"
            + " (submit to decision, closed loop with %d in flight per thread)%n",
        r.latencyNanos().getValueAtPercentile(50) / 1e3, r.latencyNanos().getValueAtPercentile(99) / 1e3,
        r.latencyNanos().getValueAtPercentile(99.9) / 1e3, r.latencyNanos().getMaxValue() / 1e3,
        r.settings().window());
    System.out.printf(Locale.ROOT, "checks:      order ids unique=%s, max units per user=%d (limit %d)%n",
        r.orderIdsUnique(), r.maxUnitsPerUser(), r.settings().limitPerUser());
  }

  static Settings parse(String[] args) {
    Settings d = Settings.defaults();
    int users = d.users();
    int requests = d.requests();
    int threads = d.threads();
    long stock = d.stock();
    int limit = d.limitPerUser();
    int window = d.window();
    long seed = d.seed();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + name + " needs a value");
      }
      String value = args[++i];
      switch (name) {
        case "--users": users = positive(name, value); break;
        case "--requests": requests = positive(name, value); break;
        case "--threads": threads = positive(name, value); break;
        case "--stock": stock = positive(name, value); break;
        case "--limit": limit = positive(name, value); break;
        case "--window": window = positive(name, value); break;
        case "--seed": seed = Long.parseLong(value); break;
        default: throw new IllegalArgumentException("unknown option " + name
            + " (known: --users --requests --threads --stock --limit --window --seed)");
      }
    }
    return new Settings(users, requests, threads, stock, limit, window, seed);
  }

  private static int positive(String name, String value) {
    int v;
    try {
      v = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'", e);
    }
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, was " + v);
    }
    return v;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
