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

import dev.seckill.Rejection;
import dev.seckill.Sale;
import dev.seckill.spi.ConfirmedOrder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ledger against a plain in-memory model: seeded random walks of purchases, outbox drains,
 * clean reopens and simulated crashes between any two writes, comparing every decision and the
 * full state after every reopen.
 */
@Tag("slow")
class LedgerModelTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final long MAX_USERS = 400;
  static final long OUTBOX = 300;
  /** The outbox bound of the current walk (the model's and the ledger's). */
  static long outboxBound = OUTBOX;

  @TempDir Path dir;

  /** Thrown by the write probe to stop a confirmation between two writes, like kill -9. */
  static final class SimulatedCrash extends RuntimeException {
    SimulatedCrash(int step) {
      super("simulated crash after write " + step, null, false, false);
    }
  }

  /** What the ledger should hold. */
  static final class Model {
    final List<Sale> sales = new ArrayList<>();
    final Map<String, Long> remaining = new HashMap<>();
    final Map<String, Long> bought = new HashMap<>();
    final TreeMap<Long, ConfirmedOrder> outbox = new TreeMap<>();
    long seq;

    Model copy() {
      Model m = new Model();
      m.sales.addAll(sales);
      m.remaining.putAll(remaining);
      m.bought.putAll(bought);
      m.outbox.putAll(outbox);
      m.seq = seq;
      return m;
    }

    long decide(Sale sale, String user, int q, long nowMillis) {
      long left = remaining.get(sale.id());
      if (left == 0) {
        return -1L - Rejection.SOLD_OUT.ordinal();
      }
      if (q > left) {
        return -1L - Rejection.INSUFFICIENT_STOCK.ordinal();
      }
      String key = sale.id() + "|" + user;
      long had = bought.getOrDefault(key, 0L);
      if (had + q > sale.limitPerUser()) {
        return -1L - Rejection.LIMIT_REACHED.ordinal();
      }
      if ((had == 0 && bought.size() >= MAX_USERS) || outbox.size() >= outboxBound) {
        return -1L - Rejection.OVERLOADED.ordinal();
      }
      seq++;
      remaining.put(sale.id(), left - q);
      bought.put(key, had + q);
      outbox.put(seq, new ConfirmedOrder(seq, sale.id(), user, q, Instant.ofEpochMilli(nowMillis)));
      return seq;
    }
  }

  private StockLedger open() throws IOException {
    return StockLedger.open(new LedgerConfig(dir, 0, 1, MAX_USERS, outboxBound, 8,
        Clock.fixed(START, ZoneOffset.UTC)));
  }

  private static Sale sale(int i, long stockFactor) {
    return Sale.builder("sale-" + i).stock((60 + 40L * i) * stockFactor).startsAt(START)
        .endsAt(START.plusSeconds(3600)).limitPerUser(1 + i).build();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void randomWalkMatchesTheModel(long seed) throws IOException {
    walk(seed, 1);
  }

  /**
   * The same walk with journal segments of 2 KiB, an outbox bound of 60 and 15 times the stock:
   * the writer rolls over into new segments and recycles flushed ones many times (and answers
   * OVERLOADED whenever the outbox bound is reached), crashes and torn records included.
   */
  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14})
  void randomWalkWithSmallSegmentsRollsOverAndRecycles(long seed) throws IOException {
    System.setProperty(OrderJournal.SEGMENT_SIZE_PROPERTY, "2048");
    outboxBound = 60;
    try {
      long segments = walk(seed, 15);
      assertThat(segments).as("segments used, in a ring of %d", slots).isGreaterThan(2L * slots);
    } finally {
      System.clearProperty(OrderJournal.SEGMENT_SIZE_PROPERTY);
      outboxBound = OUTBOX;
    }
  }

  private int slots;

  /**
   * Reservations (issue #12): buys, pays with the same or another reference, cancels, ticks, the
   * clock at a deadline -1 ms, exactly, +1 ms and +1 h, drains, reopens and crashes after each
   * write, against a model; see {@link ReservationWalk} for the invariants checked every step.
   */
  @ParameterizedTest
  @ValueSource(longs = {22, 23, 24, 25, 26, 27, 28, 29, 30})
  void reservationWalkMatchesTheModel(long seed) throws IOException {
    ReservationWalk walk = new ReservationWalk(dir);
    long expired = walk.run(seed, 3_000);
    System.out.println("reservation walk " + seed + ": " + walk.seen + ", expired " + expired);
    assertThat(expired).as("the walk expired some reservations").isPositive();
    assertThat(walk.seen).as("what the walk covered").containsKeys("CONFIRMED", "ALL_HELD",
        "SOLD_OUT", "LIMIT_REACHED", "APPLIED", "ALREADY_IN_STATE", "CONFLICT", "TOO_LATE",
        "UNKNOWN_ORDER", "crash", "torn");
  }

  /** Runs a random walk; returns the number of journal segments the writer started. */
  private long walk(long seed, long stockFactor) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    Model model = new Model();
    StockLedger ledger = open();
    Map<String, SaleState> states = new HashMap<>();
    try {
      for (int step = 0; step < 4_000; step++) {
        int action = random.nextInt(100);
        if (model.sales.size() < 3 && (model.sales.isEmpty() || action < 2)) {
          Sale s = sale(model.sales.size(), stockFactor);
          states.put(s.id(), ledger.register(s));
          model.sales.add(s);
          model.remaining.put(s.id(), s.stock());
        } else if (action < 85) {
          Sale s = model.sales.get(random.nextInt(model.sales.size()));
          String user = "u" + random.nextInt(150);
          int q = 1 + random.nextInt(s.maxPerRequest());
          long expected = model.decide(s, user, q, START.toEpochMilli());
          long actual = ledger.decide(states.get(s.id()), user, q);
          if (random.nextBoolean()) {
            ledger.checkpoint(); // the writer does this at the end of each Disruptor batch
          }
          assertThat(describe(actual)).as("step %d: %s buys %d of %s", step, user, q, s.id())
              .isEqualTo(describe(expected));
        } else if (action < 92) {
          List<ConfirmedOrder> batch = new ArrayList<>();
          long upTo = ledger.outbox().readUnflushed(ledger.publishedSeq(), 1 + random.nextInt(50), batch);
          for (ConfirmedOrder o : batch) {
            assertThat(model.outbox.remove(o.orderId())).isEqualTo(o);
          }
          model.outbox.headMap(upTo, true).clear();
          ledger.outbox().markFlushed(upTo);
        } else if (action < 96) {
          ledger.close();
          ledger = open();
          states = statesOf(ledger);
          assertSameState(ledger, model, states);
        } else {
          // Crash between two writes of the next confirmation that happens.
          int crashAfter = 1 + random.nextInt(4);
          ledger.probe(w -> {
            if (w == crashAfter) {
              throw new SimulatedCrash(w);
            }
          });
          // Or killed while writing the record itself: a torn tail record, so the order is absent.
          boolean tear = crashAfter == 1 && random.nextBoolean();
          Model before = model.copy();
          Sale s = model.sales.get(random.nextInt(model.sales.size()));
          String user = "crash-" + step;
          long expected = model.decide(s, user, 1, START.toEpochMilli());
          if (expected > 0) {
            SaleState state = states.get(s.id());
            StockLedger crashing = ledger;
            assertThatThrownBy(() -> {
              crashing.decide(state, user, 1);
              crashing.checkpoint();
            }).isInstanceOf(SimulatedCrash.class);
            if (tear) {
              tearLastRecord(ledger.journal(), random);
              model = before;
            }
          } else {
            assertThat(ledger.decide(states.get(s.id()), user, 1)).isEqualTo(expected);
          }
          ledger.abandon();
          ledger = open();
          assertThat(ledger.recovered()).isTrue();
          states = statesOf(ledger);
          assertSameState(ledger, model, states);
        }
      }
      ledger.close();
      ledger = open();
      assertSameState(ledger, model, statesOf(ledger));
      slots = ledger.journal().slots();
      return ledger.journal().writerSegment() + 1;
    } finally {
      ledger.close();
    }
  }

  @Test
  void aCrashAfterEachWriteRecoversToTheAppliedOrder() throws IOException {
    // Writes: 1 order record, 2 user units (in decide), 3 sale counters, 4 watermark (checkpoint).
    for (int crashAfter = 1; crashAfter <= 4; crashAfter++) {
      Path shardDir = dir.resolve("crash-after-" + crashAfter);
      LedgerConfig config = new LedgerConfig(shardDir, 0, 1, MAX_USERS, OUTBOX, 8,
          Clock.fixed(START, ZoneOffset.UTC));
      StockLedger ledger = StockLedger.open(config);
      SaleState s = ledger.register(sale(0, 1));
      assertThat(ledger.decide(s, "a", 1)).isEqualTo(1);
      ledger.checkpoint();
      int step = crashAfter;
      ledger.probe(w -> {
        if (w == step) {
          throw new SimulatedCrash(w);
        }
      });
      assertThatThrownBy(() -> {
        ledger.decide(s, "b", 1);
        ledger.checkpoint();
      }).isInstanceOf(SimulatedCrash.class);
      ledger.abandon();

      try (StockLedger reopened = StockLedger.open(config)) {
        assertThat(reopened.recovered()).isTrue();
        // Until the watermark (write 4) lands, recovery replays the record; after it, nothing to do.
        assertThat(reopened.replayed()).as("crash after write %d", step).isEqualTo(step < 4 ? 1 : 0);
        SaleState again = reopened.sales().get(0);
        assertThat(again.publishedRemaining()).isEqualTo(58);
        assertThat(again.publishedOrders()).isEqualTo(2);
        assertThat(reopened.unitsBought(again, "b")).isEqualTo(1);
        assertThat(reopened.decide(again, "b", 1)).as("limit 1 already used by the replayed order")
            .isEqualTo(-1L - Rejection.LIMIT_REACHED.ordinal());
        assertThat(reopened.decide(again, "c", 1)).as("the sequence resumes after the replayed id")
            .isEqualTo(3);
      }
    }
  }

  /**
   * Damages the journal's last record as a kill -9 during its write could leave it: the commit
   * word (length and CRC, written last) missing, or the commit word there but part of the
   * payload not (zeros from some byte on), or a byte of it wrong.
   */
  static void tearLastRecord(OrderJournal journal, SplittableRandom random) {
    java.nio.ByteBuffer b = journal.view((int) (journal.lastRecordSegment() % journal.slots()));
    int off = journal.lastRecordOffset();
    int len = (int) b.getLong(off);
    switch (random.nextInt(3)) {
      case 0 -> b.putLong(off, 0L);
      case 1 -> {
        int from = off + 8 + random.nextInt(len);
        byte was = b.get(from);
        for (int i = from; i < off + 8 + len; i++) {
          b.put(i, (byte) 0);
        }
        b.put(from, (byte) (was ^ 0x5A)); // at least one byte differs from what was written
      }
      default -> {
        int at = off + 8 + random.nextInt(len);
        b.put(at, (byte) (b.get(at) ^ (1 << random.nextInt(8))));
      }
    }
  }

  private static Map<String, SaleState> statesOf(StockLedger ledger) {
    Map<String, SaleState> states = new HashMap<>();
    for (SaleState s : ledger.sales()) {
      states.put(s.sale().id(), s);
    }
    return states;
  }

  private static void assertSameState(StockLedger ledger, Model model, Map<String, SaleState> states) {
    assertThat(states.keySet()).containsExactlyInAnyOrderElementsOf(model.remaining.keySet());
    for (Sale s : model.sales) {
      SaleState state = states.get(s.id());
      assertThat(state.sale()).isEqualTo(s);
      assertThat(state.publishedRemaining()).as("remaining of %s", s.id()).isEqualTo(model.remaining.get(s.id()));
      assertThat(state.isSoldOut()).isEqualTo(model.remaining.get(s.id()) == 0);
    }
    for (Map.Entry<String, Long> e : model.bought.entrySet()) {
      String[] parts = e.getKey().split("\\|", 2);
      assertThat(ledger.unitsBought(states.get(parts[0]), parts[1])).as(e.getKey()).isEqualTo(e.getValue());
    }
    Map<Long, ConfirmedOrder> outbox = new TreeMap<>();
    ledger.outbox().forEach(o -> outbox.put(o.orderId(), o));
    assertThat(outbox).isEqualTo(model.outbox);
    assertThat(ledger.outboxSize()).isEqualTo(model.outbox.size());
    assertThat(ledger.appliedSeq()).isEqualTo(model.seq);
  }

  private static String describe(long decision) {
    return decision > 0 ? "order " + decision : Rejection.values()[(int) (-1L - decision)].name();
  }
}
