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

import dev.seckill.spi.ConfirmedOrder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order journal on its own: append and read back, roll-over into the next segment, recycling
 * of flushed segments, reopen, a torn tail (truncated, zeroed, corrupted, garbage) read as the
 * end, and a full journal answered with "no room" (the ledger's OVERLOADED), never an exception.
 */
class OrderJournalTest {
  static final int SEG = 8192;
  static final String[] IDS = {"u", "user-42", "Zoë", "用户", "buyer-\uD83D\uDE00",
      "x".repeat(PurchaseRequest.MAX_USER_ID_LENGTH), "用".repeat(PurchaseRequest.MAX_USER_ID_LENGTH),
      "\uD83D\uDE00".repeat(PurchaseRequest.MAX_USER_ID_LENGTH / 2)};

  @TempDir Path dir;

  static OrderRecord record(long seq, String user) {
    OrderRecord r = new OrderRecord();
    r.orderId = seq * 3 + 1;
    r.confirmedAtMillis = 1_700_000_000_000L + seq;
    r.stockAfter = 1_000_000 - seq;
    r.saleOrdersAfter = seq;
    r.saleIndex = (int) (seq % 3);
    r.quantity = 1 + (int) (seq % 5);
    r.userUnitsAfter = 2 + (int) (seq % 7);
    r.userId.append(user);
    return r;
  }

  /** A user id per sequence; every third or so is one of the longest ids allowed. */
  static String user(long seq) {
    String id = IDS[(int) (seq % IDS.length)];
    return id.length() >= PurchaseRequest.MAX_USER_ID_LENGTH ? id : id + seq;
  }

  /** A reader over {@code j} whose published sequence is {@code published[0]}. */
  static OrderJournalReader reader(OrderJournal j, long flushed, long[] published, long[] persisted) {
    return new OrderJournalReader(j, flushed, i -> "sale-" + i, () -> published[0],
        seq -> persisted[0] = seq);
  }

  static void assertOrder(ConfirmedOrder o, long seq) {
    OrderRecord r = record(seq, user(seq));
    assertThat(o.orderId()).isEqualTo(r.orderId);
    assertThat(o.saleId()).isEqualTo("sale-" + r.saleIndex);
    assertThat(o.userId()).isEqualTo(user(seq));
    assertThat(o.quantity()).isEqualTo(r.quantity);
    assertThat(o.confirmedAt()).isEqualTo(Instant.ofEpochMilli(r.confirmedAtMillis));
  }

  @Test
  void appendsReadBackExactlyAcrossSegmentsAndAfterReopen() throws IOException {
    Path jd = dir.resolve("journal");
    long[] published = {0};
    long[] persisted = {0};
    try (OrderJournal j = OrderJournal.create(jd, SEG, 64, true)) {
      assertThat(j.recoverTail(1)).isZero();
      for (long seq = 1; seq <= 500; seq++) {
        assertThat(j.append(record(seq, user(seq)))).isTrue();
      }
      assertThat(j.writerSegment()).as("rolled over").isGreaterThan(10);
      published[0] = 500;
      OrderJournalReader reader = reader(j, 0, published, persisted);
      List<ConfirmedOrder> out = new ArrayList<>();
      assertThat(reader.readUnflushed(500, 1000, out)).isEqualTo(500);
      assertThat(out).hasSize(500);
      for (int i = 0; i < out.size(); i++) {
        assertOrder(out.get(i), i + 1);
      }
    }
    try (OrderJournal j = OrderJournal.openExisting(jd)) {
      assertThat(j.recoverTail(1)).isEqualTo(500);
      assertThat(j.nextSeq()).isEqualTo(501);
      assertThat(j.append(record(501, user(501)))).isTrue();
      published[0] = 501;
      OrderJournalReader reader = reader(j, 200, published, persisted);
      List<ConfirmedOrder> out = new ArrayList<>();
      assertThat(reader.readUnflushed(501, 10, out)).isEqualTo(210);
      assertOrder(out.get(0), 201);
      reader.markFlushed(210);
      assertThat(persisted[0]).isEqualTo(210);
      out.clear();
      reader.readUnflushed(501, 1000, out);
      assertThat(out).hasSize(291);
      assertOrder(out.get(290), 501);
    }
  }

  @Test
  void flushedSegmentsAreRecycledAndAFullJournalRefusesWithoutWriting() throws IOException {
    long[] published = {0};
    long[] persisted = {0};
    try (OrderJournal j = OrderJournal.create(dir.resolve("journal"), SEG, 3, true)) {
      j.recoverTail(1);
      OrderJournalReader reader = reader(j, 0, published, persisted);
      long seq = 1;
      long flushed = 0;
      int refusals = 0;
      SplittableRandom random = new SplittableRandom(7);
      // Many times round the ring of 3 segments, the flusher lagging behind by a random amount.
      while (j.writerSegment() < 40) {
        OrderRecord r = record(seq, user(seq));
        int offsetBefore = j.writerOffset();
        long segmentBefore = j.writerSegment();
        if (j.append(r)) {
          published[0] = seq++;
        } else {
          refusals++;
          assertThat(j.writerOffset()).as("nothing written").isEqualTo(offsetBefore);
          assertThat(j.writerSegment()).isEqualTo(segmentBefore);
          assertThat(j.nextSeq()).isEqualTo(seq);
          // The segment to reuse still holds unflushed orders: let the flusher catch up.
          List<ConfirmedOrder> out = new ArrayList<>();
          long upTo = reader.readUnflushed(published[0], 1 + random.nextInt(200), out);
          for (int i = 0; i < out.size(); i++) {
            assertOrder(out.get(i), flushed + 1 + i);
          }
          reader.markFlushed(upTo);
          flushed = upTo;
        }
      }
      assertThat(refusals).isPositive();
      assertThat(Files.list(dir.resolve("journal")).count()).as("no new files").isEqualTo(3);
      // Everything unflushed reads back in order after the ring went round 13 times.
      List<ConfirmedOrder> out = new ArrayList<>();
      assertThat(reader.readUnflushed(published[0], Integer.MAX_VALUE, out)).isEqualTo(seq - 1);
      for (int i = 0; i < out.size(); i++) {
        assertOrder(out.get(i), flushed + 1 + i);
      }
    }
    try (OrderJournal j = OrderJournal.openExisting(dir.resolve("journal"))) {
      long flushed = persisted[0];
      assertThat(j.recoverTail(flushed + 1)).isEqualTo(published[0]);
      assertThat(j.lastValidSeq(flushed + 1)).isEqualTo(published[0]);
    }
  }

  @Test
  void aTornTailIsTheEndOfTheJournal() throws IOException {
    Path jd = dir.resolve("journal");
    try (OrderJournal j = OrderJournal.create(jd, SEG, 4, true)) {
      j.recoverTail(1);
      for (int seq = 1; seq <= 11; seq++) {
        assertThat(j.append(record(seq, "user-" + seq + "-" + "y".repeat(300)))).isTrue();
      }
    }
    // Record 11 is the last; find where it starts by reading the tail.
    int last;
    long lastSeg;
    try (OrderJournal j = OrderJournal.openExisting(jd)) {
      assertThat(j.recoverTail(1)).isEqualTo(11);
      OrderJournal.Cursor c = new OrderJournal.Cursor();
      java.nio.ByteBuffer[] views = new java.nio.ByteBuffer[j.slots()];
      for (int i = 0; i < views.length; i++) {
        views[i] = j.view(i);
      }
      assertThat(j.seek(11, c, views, new java.util.zip.CRC32C())).isTrue();
      last = c.offset;
      lastSeg = c.segment;
    }
    Path file = OrderJournal.segmentFile(jd, (int) (lastSeg % 4));
    byte[] original = Files.readAllBytes(file);

    // 1. kill -9 before the commit word: the record's bytes are there, its length and CRC not.
    assertTail(jd, file, original, b -> zero(b, last, 8), 10);
    // 2. kill -9 half-way through the payload of a record written over zeros.
    assertTail(jd, file, original, b -> zero(b, last + 40, 400), 10);
    // 3. One flipped bit in the payload (the CRC no longer matches).
    assertTail(jd, file, original, b -> b[last + 30] ^= 0x10, 10);
    // 4. A length pointing past the segment.
    assertTail(jd, file, original, b -> b[last + 2] = 0x7f, 10);
    // 5. Garbage after the last record: still 11 records.
    assertTail(jd, file, original, b -> {
      SplittableRandom random = new SplittableRandom(3);
      for (int i = last + 400; i < b.length; i++) {
        b[i] = (byte) random.nextInt();
      }
    }, 11);
    // 6. The file cut short (a segment truncated): the records in the cut part are gone.
    Files.write(file, original);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(last + 100);
      raf.setLength(original.length);
    }
    try (OrderJournal j = OrderJournal.openExisting(jd)) {
      assertThat(j.recoverTail(1)).isEqualTo(10);
      // The writer goes on where the valid journal ends, over the torn record.
      assertThat(j.nextSeq()).isEqualTo(11);
      assertThat(j.append(record(11, "again"))).isTrue();
    }
    try (OrderJournal j = OrderJournal.openExisting(jd)) {
      assertThat(j.recoverTail(1)).isEqualTo(11);
    }
  }

  interface Damage {
    void apply(byte[] b);
  }

  static void zero(byte[] b, int from, int n) {
    java.util.Arrays.fill(b, from, from + n, (byte) 0);
  }

  private static void assertTail(Path jd, Path file, byte[] original, Damage damage, long expected)
      throws IOException {
    byte[] b = original.clone();
    damage.apply(b);
    Files.write(file, b);
    try (OrderJournal j = OrderJournal.openExisting(jd)) {
      assertThat(j.recoverTail(1)).isEqualTo(expected);
      assertThat(j.lastValidSeq(1)).isEqualTo(expected);
    }
    Files.write(file, original);
  }

  @Test
  void aTornSegmentHeaderEndsTheJournalAtTheSegmentBefore() throws IOException {
    Path jd = dir.resolve("journal");
    long seq = 1;
    try (OrderJournal j = OrderJournal.create(jd, SEG, 4, true)) {
      j.recoverTail(1);
      while (j.writerSegment() < 2) {
        assertThat(j.append(record(seq, user(seq)))).isTrue();
        seq++;
      }
    }
    long lastInSegment1 = seq - 2; // the record just appended opened segment 2
    Path file = OrderJournal.segmentFile(jd, 2);
    byte[] b = Files.readAllBytes(file);
    b[16] ^= 1; // the header's first sequence, as if its write was cut short
    Files.write(file, b);
    try (OrderJournal j = OrderJournal.openExisting(jd)) {
      assertThat(j.recoverTail(1)).isEqualTo(lastInSegment1);
      assertThat(j.append(record(lastInSegment1 + 1, "next"))).isTrue();
    }
    try (OrderJournal j = OrderJournal.openExisting(jd)) {
      assertThat(j.recoverTail(1)).isEqualTo(lastInSegment1 + 1);
    }
  }

  @Test
  void undoTakesTheLastRecordBack() throws IOException {
    try (OrderJournal j = OrderJournal.create(dir.resolve("journal"), SEG, 2, false)) {
      j.recoverTail(1);
      assertThat(j.append(record(1, "a"))).isTrue();
      int offset = j.writerOffset();
      assertThat(j.append(record(2, "b"))).isTrue();
      j.undoLast();
      assertThat(j.writerOffset()).isEqualTo(offset);
      assertThat(j.nextSeq()).isEqualTo(2);
      assertThat(j.lastValidSeq(1)).isEqualTo(1);
      assertThat(j.append(record(2, "c"))).isTrue();
      assertThat(j.lastValidSeq(1)).isEqualTo(2);
    }
  }

  @Test
  void tooSmallASegmentIsRefusedWithTheNumbers() {
    assertThatThrownBy(() -> OrderJournal.create(dir.resolve("j"), 512, 4, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("asked for 4 of 512");
  }

  @Test
  void aLedgerWhoseJournalIsFullAnswersOverloaded() throws IOException {
    // Capacity 200 unflushed orders sizes the journal for ids of ~40 bytes; ids of ~740 bytes
    // fill its space first. Nothing flushes: the journal is full, every purchase OVERLOADED.
    Instant start = Instant.parse("2026-11-11T00:00:00Z");
    LedgerConfig config = new LedgerConfig(dir.resolve("shard"), 0, 1, 5_000, 200, 4,
        Clock.fixed(start, ZoneOffset.UTC));
    try (StockLedger l = StockLedger.open(config)) {
      SaleState s = l.register(Sale.builder("s").stock(1_000_000).startsAt(start)
          .endsAt(start.plusSeconds(60)).limitPerUser(1).build());
      long confirmed = 0;
      long overloaded = 0;
      for (int i = 0; i < 100_000 && overloaded < 100; i++) {
        String id = i + "用".repeat(PurchaseRequest.MAX_USER_ID_LENGTH - 10);
        long d = l.decide(s, id, 1);
        if (StockLedger.isConfirmed(d)) {
          confirmed++;
        } else {
          assertThat(StockLedger.rejectionOf(d)).isEqualTo(Rejection.OVERLOADED);
          overloaded++;
        }
        l.checkpoint();
      }
      assertThat(confirmed).as("the journal's space ran out before the count bound")
          .isPositive().isLessThan(200);
      assertThat(overloaded).isEqualTo(100);
      assertThat(l.users().count()).as("not the users table's bound").isLessThan(l.users().maxUsers());
      assertThat(l.journal().nextSeq()).isEqualTo(confirmed + 1);
      assertThat(l.outboxSize()).isEqualTo(confirmed);
    }
    try (StockLedger l = StockLedger.open(config); Stream<Path> files = Files.list(dir)) {
      assertThat(l.outbox().size()).isPositive();
      List<ConfirmedOrder> all = new ArrayList<>();
      l.outbox().forEach(all::add);
      assertThat(all).hasSize((int) l.outboxSize());
      assertThat(all.get(0).userId()).endsWith("用".repeat(PurchaseRequest.MAX_USER_ID_LENGTH - 10));
    }
  }
}
