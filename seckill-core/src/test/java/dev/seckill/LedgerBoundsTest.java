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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger's bounds in bytes and on disk (issue #9 items 2, 4, 5): long legal user ids are
 * refused with OVERLOADED and never break the directory; a disk too small fails build() before
 * anything is created; a disk that fills after open does not touch sales.
 */
class LedgerBoundsTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  static Tmpfs tmpfs;

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  @BeforeAll
  static void mountSmallDisk() throws Exception {
    try {
      tmpfs = Tmpfs.mount(8L << 20);
    } catch (org.opentest4j.TestAbortedException skipped) {
      tmpfs = null; // the disk tests skip themselves; the others run
    }
  }

  @AfterAll
  static void unmount() throws Exception {
    if (tmpfs != null) {
      tmpfs.close();
    }
  }

  static Sale sale(String id, long stock) {
    return Sale.builder(id).stock(stock).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(1).build();
  }

  /** A legal user id of exactly PurchaseRequest.MAX_USER_ID_LENGTH characters, unique per n. */
  static String longId(int n) {
    String head = n + "-";
    // Every fourth id is made of 3-byte UTF-8 characters: the most bytes a legal id can take.
    char fill = n % 4 == 0 ? '\u20ac' : 'x';
    return head + String.valueOf(fill).repeat(PurchaseRequest.MAX_USER_ID_LENGTH - head.length());
  }

  SeckillEngine open(Path dataDir) {
    return SeckillEngine.builder().dataDir(dataDir).clock(clock)
        .maxUsersPerShard(2_000).outboxCapacityPerShard(10_000).maxSalesPerShard(4)
        .maxRequestIdsPerShard(1_000).build();
  }

  @Test
  void longUserIdsCountAgainstTheExactBoundAndTheDirectoryReopens() {
    int buyers = 3_000;
    long confirmed = 0;
    long overloaded = 0;
    String firstBuyer = null;
    try (SeckillEngine e = open(dir)) {
      e.registerSale(sale("s", 5_000));
      List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
      for (int u = 0; u < buyers; u++) {
        String id = longId(u);
        assertThat(id).hasSize(PurchaseRequest.MAX_USER_ID_LENGTH);
        fs.add(e.submit(PurchaseRequest.of("s", id, 1)));
      }
      for (int u = 0; u < buyers; u++) {
        PurchaseResult r = fs.get(u).join(); // never completes exceptionally
        if (r.isConfirmed()) {
          confirmed++;
          if (firstBuyer == null) {
            firstBuyer = longId(u);
          }
        } else {
          assertThat(r.rejection()).as("refusal of buyer %d", u).isEqualTo(Rejection.OVERLOADED);
          overloaded++;
        }
      }
      // The bound is exact whatever the ids' length: one fixed slot per buyer (before 0.2, a
      // byte budget let fewer long ids in; before 0.1.1, Chronicle threw mid-write).
      assertThat(confirmed).as("buyers up to maxUsersPerShard").isEqualTo(2_000);
      assertThat(overloaded).as("the buyers beyond it").isEqualTo(1_000);
      assertThat(confirmed + overloaded).isEqualTo(buyers);
      SaleSnapshot s = e.snapshot("s");
      assertThat(s.unitsSold()).isEqualTo(confirmed).isLessThanOrEqualTo(5_000);
      assertThat(s.remaining()).isEqualTo(5_000 - confirmed);
      // A recorded buyer is unaffected by the bound: the limit answers, not OVERLOADED.
      assertThat(e.submit(PurchaseRequest.of("s", firstBuyer, 1)).join().rejection())
          .isEqualTo(Rejection.LIMIT_REACHED);
    }
    try (SeckillEngine e = open(dir)) { // a clean close reopens, with the same counts
      SaleSnapshot s = e.snapshot("s");
      assertThat(s.unitsSold()).isEqualTo(confirmed);
      assertThat(s.ordersConfirmed()).isEqualTo(confirmed);
      assertThat(s.remaining()).isEqualTo(5_000 - confirmed);
      assertThat(e.submit(PurchaseRequest.of("s", firstBuyer, 1)).join().rejection())
          .isEqualTo(Rejection.LIMIT_REACHED);
      PurchaseResult more = e.submit(PurchaseRequest.of("s", longId(buyers + 1), 1)).join();
      assertThat(more.rejection()).as("a new buyer beyond the bound").isEqualTo(Rejection.OVERLOADED);
    }
  }

  @Test
  void buildFailsBeforeCreatingAnythingWhenTheDiskIsTooSmall() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(tmpfs != null, "skipped: no tmpfs (needs root)");
    Path dataDir = tmpfs.path().resolve("too-small");
    for (int attempt = 1; attempt <= 2; attempt++) {
      // Defaults: 1,000,000 users and orders per shard, about 250 MiB per shard; the disk has 8.
      assertThatThrownBy(() -> SeckillEngine.builder().dataDir(dataDir).clock(clock).build())
          .as("attempt %d", attempt)
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("not enough disk space in " + dataDir)
          .hasMessageContaining("free")
          .hasMessageContaining("maxUsersPerShard")
          .hasMessageNotContaining("crashed");
      assertThat(dataDir).as("nothing created, no ledger file left behind").doesNotExist();
    }
  }

  @Test
  void aDiskThatFillsAfterOpenDoesNotAffectSales() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(tmpfs != null, "skipped: no tmpfs (needs root)");
    Path dataDir = tmpfs.path().resolve("fills-up");
    int buyers = 1_500;
    long confirmed = 0;
    Path filler;
    try (SeckillEngine e = open(dataDir)) {
      e.registerSale(sale("s", 5_000));
      filler = tmpfs.fill(); // the ledger files were allocated in full at creation
      assertThat(Files.getFileStore(dataDir).getUsableSpace()).isLessThan(64 * 1024);
      List<CompletableFuture<PurchaseResult>> fs = new ArrayList<>();
      for (int u = 0; u < buyers; u++) {
        fs.add(e.submit(PurchaseRequest.of("s", longId(u), 1)));
      }
      for (CompletableFuture<PurchaseResult> f : fs) {
        PurchaseResult r = f.join();
        if (r.isConfirmed()) {
          confirmed++;
        } else {
          assertThat(r.rejection()).isEqualTo(Rejection.OVERLOADED);
        }
      }
      assertThat(confirmed).isPositive();
      assertThat(e.snapshot("s").unitsSold()).isEqualTo(confirmed);
    }
    Files.delete(filler);
    try (SeckillEngine e = open(dataDir)) {
      assertThat(e.snapshot("s").unitsSold()).isEqualTo(confirmed);
    }
  }
}
