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
import dev.seckill.Sale;
import dev.seckill.SeckillEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/** Opening throw-away engines and sales for the benchmarks. */
public final class Engines {
  /** Far in the past and the future: the sale is always on. */
  public static final Instant OPEN = Instant.parse("2020-01-01T00:00:00Z");
  public static final Instant CLOSE = Instant.parse("2100-01-01T00:00:00Z");

  private Engines() {}

  /** A fresh temporary directory for one engine or ledger, on disk (see {@link #tempDir(String, String)}). */
  public static Path tempDir(String what) {
    return tempDir(what, "disk");
  }

  /**
   * A fresh temporary directory: {@code storage} {@code disk} is under {@code -Dseckill.bench.tmp}
   * or {@code java.io.tmpdir} (a real file system: first writes allocate blocks), {@code shm} is
   * under {@code /dev/shm} (tmpfs: memory only), to separate the file system's cost from the code's.
   */
  public static Path tempDir(String what, String storage) {
    try {
      String root = storage.equals("shm") ? "/dev/shm"
          : System.getProperty("seckill.bench.tmp", System.getProperty("java.io.tmpdir"));
      Path base = Path.of(root);
      Files.createDirectories(base);
      return Files.createTempDirectory(base, "seckill-bench-" + what + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A one-shard engine sized for {@code maxUsers} buyers and as many orders. */
  public static SeckillEngine open(Path dir, IdleStrategy idle, long maxUsers) {
    return SeckillEngine.builder()
        .dataDir(dir)
        .shards(1)
        .ringSize(1 << 14)
        .idleStrategy(idle)
        .maxUsersPerShard(maxUsers)
        .outboxCapacityPerShard(maxUsers)
        .build();
  }

  /**
   * A one-shard engine sized for {@code maxUsers} buyers, as many orders and as many reservations
   * (for sales with {@code payWithin}; the outbox holds two records per reservation), on
   * {@code clock}.
   */
  public static SeckillEngine openForReservations(Path dir, IdleStrategy idle, long maxUsers,
      java.time.Clock clock) {
    return SeckillEngine.builder()
        .dataDir(dir)
        .clock(clock)
        .shards(1)
        .ringSize(1 << 14)
        .idleStrategy(idle)
        .maxUsersPerShard(maxUsers)
        // two journal records per reservation: the order, then its payment or expiry
        .outboxCapacityPerShard(2 * maxUsers + 1024)
        .maxReservationsPerShard(maxUsers)
        .build();
  }

  /** {@link #hugeSale} whose purchases are reservations to pay within {@code payWithin}. */
  public static Sale hugeReservingSale(String id, java.time.Duration payWithin) {
    return Sale.builder(id)
        .stock(1L << 50)
        .startsAt(OPEN)
        .endsAt(CLOSE)
        .limitPerUser(Crowd.LIMIT_PER_USER)
        .maxPerRequest(1)
        .payWithin(payWithin)
        .build();
  }

  /** A sale that is on and never sells out in a benchmark: the "confirming" path. */
  public static Sale hugeSale(String id) {
    return sale(id, 1L << 50, Crowd.LIMIT_PER_USER);
  }

  /** A sale that is on now, with the given stock and per-user limit, one unit per request. */
  public static Sale sale(String id, long stock, int limitPerUser) {
    return Sale.builder(id)
        .stock(stock)
        .startsAt(OPEN)
        .endsAt(CLOSE)
        .limitPerUser(limitPerUser)
        .maxPerRequest(1)
        .build();
  }

  /** Closes quietly and deletes the directory; for tear-downs. */
  public static void closeAndDelete(AutoCloseable closeable, Path dir) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (Exception e) {
        System.err.println("seckill-bench: close failed: " + e);
      }
    }
    deleteTree(dir);
  }

  /** Deletes a directory tree, best effort. */
  public static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          System.err.println("seckill-bench: could not delete " + p + ": " + e);
        }
      });
    } catch (IOException e) {
      System.err.println("seckill-bench: could not delete " + dir + ": " + e);
    }
  }
}
