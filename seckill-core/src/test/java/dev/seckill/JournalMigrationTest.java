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

import dev.seckill.spi.ConfirmedOrder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory written by 0.1.x (its outbox a Chronicle Map, {@code outbox.cm3}) is migrated
 * on open: its unflushed orders, and a record above the applied watermark (replayed as usual),
 * move into the journal; the old map is deleted only once the journal is complete; a migration
 * cut short is done again.
 */
class JournalMigrationTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;

  LedgerConfig config() {
    return new LedgerConfig(dir, 0, 1, 1_000, 1_000, 4, Clock.fixed(START, ZoneOffset.UTC));
  }

  static Sale sale() {
    return Sale.builder("s").stock(100).startsAt(START).endsAt(START.plusSeconds(60))
        .limitPerUser(1).build();
  }

  /**
   * Writes what 0.1.x would have left: 10 orders, 4 flushed, 6 in the outbox map, plus a record
   * for order 11 above the watermark (killed before its checkpoint), in a directory whose users
   * map, counters and catalog are as this version writes them.
   */
  void legacyDirectory(boolean removedBeforeWatermark) throws IOException {
    try (StockLedger l = StockLedger.open(config())) {
      SaleState s = l.register(sale());
      for (int i = 1; i <= 10; i++) {
        assertThat(l.decide(s, "user-" + i, 1)).isEqualTo(i);
      }
      l.checkpoint();
      List<ConfirmedOrder> out = new ArrayList<>();
      l.outbox().readUnflushed(4, 100, out);
      l.outbox().markFlushed(4);
    }
    OrderJournal.deleteAll(dir.resolve(OrderJournal.DIRECTORY), null);
    legacyUsers(10);
    try (ChronicleMap<Long, OrderRecord> outbox = StockLedger.outboxBuilder(config())
        .createPersistedTo(dir.resolve("outbox.cm3").toFile())) {
      for (int seq = removedBeforeWatermark ? 7 : 5; seq <= 11; seq++) {
        OrderRecord r = new OrderRecord();
        r.orderId = seq;
        r.confirmedAtMillis = START.toEpochMilli();
        r.stockAfter = 100 - seq;
        r.saleOrdersAfter = seq;
        r.saleIndex = 0;
        r.quantity = 1;
        r.userUnitsAfter = 1;
        r.userId.append("user-").append(seq);
        outbox.put((long) seq, r);
      }
    }
  }

  /**
   * Replaces the users table by a 0.1.x users map ({@code users.cm3}, keys
   * {@code saleIndex|userId}) holding {@code user-1 .. user-n} with one unit each.
   */
  void legacyUsers(int n) throws IOException {
    Files.delete(dir.resolve(UserTable.FILE));
    try (ChronicleMap<CharSequence, Long> users = StockLedger.legacyUsersBuilder(config())
        .createPersistedTo(dir.resolve("users.cm3").toFile())) {
      for (int i = 1; i <= n; i++) {
        users.put("0|user-" + i, 1L);
      }
    }
  }

  @Test
  void buyersOfA01xUsersMapMoveIntoTheUsersTable() throws IOException {
    legacyDirectory(false);
    // kill -9 of a migration after it created part of the new table: done again on the next open
    Files.write(dir.resolve(UserTable.FILE + ".migrating"), new byte[100]);
    try (StockLedger l = StockLedger.open(config())) {
      assertThat(dir.resolve("users.cm3")).doesNotExist();
      assertThat(dir.resolve(UserTable.FILE + ".migrating")).doesNotExist();
      SaleState s = l.sales().get(0);
      for (int i = 1; i <= 11; i++) {
        assertThat(l.unitsBought(s, "user-" + i)).as("user-%d", i).isEqualTo(1);
        assertThat(StockLedger.rejectionOf(l.decide(s, "user-" + i, 1))).as("user-%d", i)
            .isEqualTo(Rejection.LIMIT_REACHED);
      }
      assertThat(l.users().count()).isEqualTo(11);
      assertThat(l.unitsBought(s, "user-12")).isZero();
    }
    // As if killed between the table's rename and the old map's delete: the table is kept.
    try (ChronicleMap<CharSequence, Long> users = StockLedger.legacyUsersBuilder(config())
        .createPersistedTo(dir.resolve("users.cm3").toFile())) {
      users.put("0|stale", 1L);
    }
    try (StockLedger l = StockLedger.open(config())) {
      assertThat(dir.resolve("users.cm3")).doesNotExist();
      SaleState s = l.sales().get(0);
      assertThat(l.unitsBought(s, "stale")).isZero();
      assertThat(l.unitsBought(s, "user-3")).isEqualTo(1);
    }
  }

  @Test
  void unflushedOrdersOfA01xOutboxMoveIntoTheJournal() throws IOException {
    legacyDirectory(false);
    // kill -9 of a migration after it wrote part of the new journal: done again on the next open
    Files.createDirectories(dir.resolve("journal.migrating"));
    Files.write(dir.resolve("journal.migrating").resolve("segment-0.jnl"), new byte[100]);
    try (StockLedger l = StockLedger.open(config())) {
      assertThat(dir.resolve("outbox.cm3")).doesNotExist();
      assertThat(dir.resolve("journal.migrating")).doesNotExist();
      assertThat(l.replayed()).as("order 11, above the watermark").isEqualTo(1);
      assertThat(l.appliedSeq()).isEqualTo(11);
      SaleState s = l.sales().get(0);
      assertThat(s.remainingForWriter()).isEqualTo(89);
      assertThat(l.unitsBought(s, "user-11")).isEqualTo(1);
      List<ConfirmedOrder> out = new ArrayList<>();
      assertThat(l.outbox().readUnflushed(l.publishedSeq(), 100, out)).isEqualTo(11);
      assertThat(out).extracting(ConfirmedOrder::orderId).containsExactly(5L, 6L, 7L, 8L, 9L, 10L, 11L);
      assertThat(out.get(0).userId()).isEqualTo("user-5");
      assertThat(out.get(0).saleId()).isEqualTo("s");
      assertThat(l.decide(s, "new", 1)).as("ids go on after the migrated ones").isEqualTo(12);
      l.checkpoint();
    }
    try (StockLedger l = StockLedger.open(config())) {
      assertThat(l.outboxSize()).isEqualTo(8);
      assertThat(l.appliedSeq()).isEqualTo(12);
    }
  }

  @Test
  void ordersTheOldFlusherRemovedBeforeItsWatermarkCountAsFlushed() throws IOException {
    legacyDirectory(true); // 5 and 6 removed (stored), the watermark still at 4
    try (StockLedger l = StockLedger.open(config())) {
      List<ConfirmedOrder> out = new ArrayList<>();
      l.outbox().readUnflushed(l.publishedSeq(), 100, out);
      assertThat(out).extracting(ConfirmedOrder::orderId).containsExactly(7L, 8L, 9L, 10L, 11L);
      assertThat(l.outboxSize()).isEqualTo(5);
    }
  }

  @Test
  void aFinishedMigrationWhoseOldMapWasNotYetDeletedKeepsTheJournal() throws IOException {
    legacyDirectory(false);
    try (StockLedger l = StockLedger.open(config())) {
      assertThat(l.outboxSize()).isEqualTo(7);
    }
    // As if killed between the journal's rename and the old map's delete.
    try (ChronicleMap<Long, OrderRecord> outbox = StockLedger.outboxBuilder(config())
        .createPersistedTo(dir.resolve("outbox.cm3").toFile())) {
      OrderRecord r = new OrderRecord();
      r.userId.append("stale");
      outbox.put(5L, r);
    }
    try (StockLedger l = StockLedger.open(config())) {
      assertThat(dir.resolve("outbox.cm3")).doesNotExist();
      assertThat(l.outboxSize()).isEqualTo(7);
      List<ConfirmedOrder> out = new ArrayList<>();
      l.outbox().readUnflushed(l.publishedSeq(), 100, out);
      assertThat(out.get(0).userId()).isEqualTo("user-5");
    }
  }
}
