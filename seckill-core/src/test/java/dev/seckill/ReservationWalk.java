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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The reservation part of {@link LedgerModelTest}: a seeded random walk of purchases (a sale
 * without {@code payWithin} and two with, one giving the quota back), payments with the same or
 * another reference, cancels, ticks, the clock moved to a deadline -1 ms, exactly, +1 ms and +1 h,
 * outbox drains, clean reopens and crashes after each write (torn records included), compared
 * with a plain model after every step. Invariants checked after every step: for a reservation
 * sale {@code remaining + held + paid == stock}; the sold-out flag iff {@code remaining == 0};
 * every order's state as the model's, which allows only legal paths (RESERVED to one terminal
 * state) and expires only at or after the deadline. Each drain feeds what it read to a model sink
 * twice (and sometimes does not move the watermark, so it is offered again); at the end the sink's
 * table (highest version wins) says what the ledger says for every order.
 */
final class ReservationWalk {
  static final Instant START = LedgerModelTest.START;
  static final long MAX_USERS = 400;
  static final long OUTBOX = 1_000;
  static final long PAY_WITHIN = 60_000;

  /** One order as the model sees it. */
  static final class Order {
    final long id;
    final Sale sale;
    final String user;
    final int quantity;
    final long deadline; // 0 for a final order
    OrderState state;
    long refHash;

    Order(long id, Sale sale, String user, int quantity, long deadline, OrderState state) {
      this.id = id;
      this.sale = sale;
      this.user = user;
      this.quantity = quantity;
      this.deadline = deadline;
      this.state = state;
    }

    Order copy() {
      Order o = new Order(id, sale, user, quantity, deadline, state);
      o.refHash = refHash;
      return o;
    }
  }

  /** What the ledger should hold. */
  static final class Model {
    final List<Sale> sales = new ArrayList<>();
    final Map<String, long[]> counters = new HashMap<>(); // remaining, held, paid
    final Map<String, Long> bought = new HashMap<>();
    final TreeMap<Long, Order> orders = new TreeMap<>();
    final TreeMap<Long, ConfirmedOrder> outbox = new TreeMap<>();
    long seq;
    long flushed;

    Model copy() {
      Model m = new Model();
      m.sales.addAll(sales);
      counters.forEach((k, v) -> m.counters.put(k, v.clone()));
      m.bought.putAll(bought);
      orders.forEach((k, v) -> m.orders.put(k, v.copy()));
      m.outbox.putAll(outbox);
      m.seq = seq;
      m.flushed = flushed;
      return m;
    }

    long reservations() {
      return orders.values().stream().filter(o -> o.deadline != 0).count();
    }

    boolean anyDue(long now) {
      return orders.values().stream().anyMatch(o -> o.state == OrderState.RESERVED && o.deadline <= now);
    }

    /** Gives an order's units back (CANCELLED or EXPIRED), one state-change record. */
    void release(Order o, OrderState to, long now) {
      assertThat(o.state).as("only a reservation is released").isEqualTo(OrderState.RESERVED);
      if (to == OrderState.EXPIRED) {
        assertThat(now).as("EXPIRED only at or after the deadline").isGreaterThanOrEqualTo(o.deadline);
      } else {
        assertThat(now).as("cancelled before the deadline").isLessThan(o.deadline);
      }
      long[] c = counters.get(o.sale.id());
      c[0] += o.quantity;
      c[1] -= o.quantity;
      if (o.sale.releaseRestoresLimit()) {
        String key = o.sale.id() + "|" + o.user;
        bought.put(key, Math.max(0, bought.get(key) - o.quantity));
      }
      o.state = to;
      seq++;
    }

    int tick(long now) {
      int n = 0;
      for (Order o : orders.values()) {
        if (o.state == OrderState.RESERVED && o.deadline <= now) {
          release(o, OrderState.EXPIRED, now);
          n++;
        }
      }
      return n;
    }

    long decide(Sale sale, String user, int q, long now) {
      long[] c = counters.get(sale.id());
      if (q > c[0] && sale.payWithin() != null && anyDue(now)) {
        tick(now);
      }
      if (c[0] == 0) {
        return -1L - (c[1] > 0 ? Rejection.ALL_HELD : Rejection.SOLD_OUT).ordinal();
      }
      if (q > c[0]) {
        return -1L - Rejection.INSUFFICIENT_STOCK.ordinal();
      }
      String key = sale.id() + "|" + user;
      long had = bought.getOrDefault(key, 0L);
      if (had + q > sale.limitPerUser()) {
        return -1L - Rejection.LIMIT_REACHED.ordinal();
      }
      if ((!bought.containsKey(key) && bought.size() >= MAX_USERS) || seq - flushed >= OUTBOX) {
        return -1L - Rejection.OVERLOADED.ordinal();
      }
      seq++;
      c[0] -= q;
      bought.put(key, had + q);
      boolean reservation = sale.payWithin() != null;
      if (reservation) {
        c[1] += q;
      }
      orders.put(seq, new Order(seq, sale, user, q, reservation ? now + PAY_WITHIN : 0,
          reservation ? OrderState.RESERVED : OrderState.CONFIRMED));
      outbox.put(seq, new ConfirmedOrder(seq, sale.id(), user, q, Instant.ofEpochMilli(now)));
      return seq;
    }

    OrderTransition transition(long id, boolean pay, long refHash, long now) {
      Order o = orders.get(id);
      if (o == null || o.deadline == 0) {
        return new OrderTransition(id, OrderTransition.Outcome.UNKNOWN_ORDER, null);
      }
      if (o.state == OrderState.RESERVED && now >= o.deadline) {
        release(o, OrderState.EXPIRED, now);
        return new OrderTransition(id, OrderTransition.Outcome.TOO_LATE, OrderState.EXPIRED);
      }
      OrderState target = pay ? OrderState.PAID : OrderState.CANCELLED;
      if (o.state == OrderState.RESERVED) {
        if (pay) {
          long[] c = counters.get(o.sale.id());
          c[1] -= o.quantity;
          c[2] += o.quantity;
          o.state = OrderState.PAID;
          o.refHash = refHash;
          seq++;
        } else {
          release(o, OrderState.CANCELLED, now);
        }
        return new OrderTransition(id, OrderTransition.Outcome.APPLIED, target);
      }
      if (o.state == OrderState.EXPIRED) {
        return new OrderTransition(id, OrderTransition.Outcome.TOO_LATE, o.state);
      }
      if (o.state == target && (!pay || o.refHash == refHash)) {
        return new OrderTransition(id, OrderTransition.Outcome.ALREADY_IN_STATE, o.state);
      }
      return new OrderTransition(id, OrderTransition.Outcome.CONFLICT, o.state);
    }
  }

  private final Path dir;
  private final MutableClock clock = new MutableClock(START);
  /** What the walk saw: decisions, outcomes, crashes; so a test can check it covered them. */
  final Map<String, Integer> seen = new TreeMap<>();

  private void saw(String what) {
    seen.merge(what, 1, Integer::sum);
  }

  ReservationWalk(Path dir) {
    this.dir = dir;
  }

  private StockLedger open() throws IOException {
    return StockLedger.open(new LedgerConfig(dir, 0, 1, MAX_USERS, OUTBOX, 8, clock, false,
        10_000, Duration.ofDays(30).toMillis(), 0, LedgerConfig.TEST_REQUEST_ID_RETENTION_MILLIS));
  }

  static Sale sale(int i) {
    Sale.Builder b = Sale.builder("r-" + i).stock(12 + 60L * i).startsAt(START)
        .endsAt(START.plus(Duration.ofDays(365))).limitPerUser(2 + i);
    if (i > 0) {
      b.payWithin(Duration.ofMillis(PAY_WITHIN));
    }
    if (i == 2) {
      b.releaseRestoresLimit(true);
    }
    return b.build();
  }

  private static String ref(SplittableRandom random) {
    return "pay-" + random.nextInt(3);
  }

  /** Runs the walk; returns how many orders ended EXPIRED (so a caller can check it ran). */
  long run(long seed, int steps) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    Model model = new Model();
    StockLedger ledger = open();
    Map<String, SaleState> states = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      Sale s = sale(i);
      states.put(s.id(), ledger.register(s));
      model.sales.add(s);
      model.counters.put(s.id(), new long[] {s.stock(), 0, 0});
    }
    try {
      for (int step = 0; step < steps; step++) {
        int action = random.nextInt(100);
        long now = clock.millis();
        if (action < 40) {
          Sale s = model.sales.get(random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(2));
          String user = "u" + random.nextInt(200);
          int q = 1 + random.nextInt(2);
          long expected = model.decide(s, user, q, now);
          long actual = ledger.decide(states.get(s.id()), user, q);
          maybeCheckpoint(ledger, random);
          assertThat(describe(actual)).as("step %d: %s buys %d of %s", step, user, q, s.id())
              .isEqualTo(describe(expected));
          saw(actual > 0 ? "CONFIRMED" : describe(actual));
        } else if (action < 62) {
          long id = pickOrder(model, random);
          boolean pay = random.nextInt(3) != 0;
          String ref = ref(random);
          long hash = ReservationTable.refHash(ref);
          OrderTransition expected = model.transition(id, pay, hash, now);
          OrderTransition actual = ledger.transition(id, pay, hash);
          maybeCheckpoint(ledger, random);
          assertThat(actual).as("step %d: %s order %d", step, pay ? "pay" : "cancel", id)
              .isEqualTo(expected);
          saw(actual.outcome().name());
        } else if (action < 68) {
          int expected = model.tick(now);
          assertThat(ledger.tick()).as("step %d: tick", step).isEqualTo(expected);
          maybeCheckpoint(ledger, random);
        } else if (action < 75) {
          moveClock(model, random);
        } else if (action < 88 || model.seq - model.flushed > 400) {
          List<ConfirmedOrder> batch = new ArrayList<>();
          List<dev.seckill.spi.OrderStateChange> changes = new ArrayList<>();
          long upTo = ledger.outbox().readUnflushed(ledger.publishedSeq(), 1 + random.nextInt(50),
              batch, changes);
          deliver(batch, changes);
          deliver(batch, changes); // a sink offered the same pass twice: nothing changes
          if (random.nextInt(5) == 0) {
            continue; // the sink stored it, the watermark was not moved: offered again later
          }
          for (ConfirmedOrder o : batch) {
            assertThat(model.outbox.remove(o.orderId())).isEqualTo(o);
          }
          model.outbox.headMap(upTo, true).clear();
          model.flushed = Math.max(model.flushed, upTo);
          ledger.outbox().markFlushed(upTo);
        } else if (action < 92) {
          ledger.close();
          ledger = open();
          states = statesOf(ledger);
        } else {
          // A crash after write 1..4 of the next change (2 of them inside the decision or
          // transition, 3 and 4 in the checkpoint), or a torn record: absent.
          int crashAfter = 1 + random.nextInt(4);
          boolean tear = crashAfter == 1 && random.nextBoolean();
          Model before = model.copy();
          boolean buy = random.nextBoolean();
          Sale s = model.sales.get(1 + random.nextInt(2));
          String user = "crash-" + step;
          long orderId = pickOrder(model, random);
          boolean pay = random.nextBoolean();
          long hash = ReservationTable.refHash(ref(random));
          boolean changes;
          if (buy) {
            if (model.counters.get(s.id())[0] < 1 && model.anyDue(now)) {
              continue; // the decision would tick first: several records, not one
            }
            changes = model.decide(s, user, 1, now) > 0;
          } else {
            OrderTransition t = model.transition(orderId, pay, hash, now);
            changes = t.outcome() == OrderTransition.Outcome.APPLIED
                || t.outcome() == OrderTransition.Outcome.TOO_LATE && before.orders.get(orderId).state == OrderState.RESERVED;
          }
          if (changes) {
            saw(tear ? "torn" : "crash");
            ledger.probe(w -> {
              if (w == crashAfter) {
                throw new LedgerModelTest.SimulatedCrash(w);
              }
            });
            StockLedger crashing = ledger;
            SaleState state = states.get(s.id());
            assertThatThrownBy(() -> {
              if (buy) {
                crashing.decide(state, user, 1);
              } else {
                crashing.transition(orderId, pay, hash);
              }
              crashing.checkpoint();
            }).isInstanceOf(LedgerModelTest.SimulatedCrash.class);
            if (tear) {
              LedgerModelTest.tearLastRecord(ledger.journal(), random);
              model = before;
            }
          }
          ledger.abandon();
          ledger = open();
          assertThat(ledger.recovered()).isTrue();
          states = statesOf(ledger);
        }
        assertSameState(ledger, model, states, step);
      }
      ledger.close();
      ledger = open();
      assertSameState(ledger, model, statesOf(ledger), steps);
      // Drain the rest into the sink: its table must then say what the ledger says.
      while (ledger.outbox().flushedSeq() < ledger.publishedSeq()) {
        List<ConfirmedOrder> batch = new ArrayList<>();
        List<dev.seckill.spi.OrderStateChange> changes = new ArrayList<>();
        long upTo = ledger.outbox().readUnflushed(ledger.publishedSeq(), 100, batch, changes);
        deliver(batch, changes);
        ledger.outbox().markFlushed(upTo);
      }
      for (Order o : model.orders.values()) {
        String[] row = sinkTable.get(o.id);
        assertThat(row).as("order %d in the sink", o.id).isNotNull();
        boolean changed = o.state != OrderState.RESERVED && o.state != OrderState.CONFIRMED;
        assertThat(row).as("order %d in the sink", o.id)
            .containsExactly(changed ? o.state.name() : "AS_CONFIRMED", changed ? "2" : "1");
      }
      assertThat(sinkTable).hasSameSizeAs(model.orders);
      return model.orders.values().stream().filter(o -> o.state == OrderState.EXPIRED).count();
    } finally {
      ledger.close();
    }
  }

  /** A sink's table: order id to {state, version}; orders insert, changes apply a higher version. */
  final Map<Long, String[]> sinkTable = new HashMap<>();

  private void deliver(List<ConfirmedOrder> orders, List<dev.seckill.spi.OrderStateChange> changes) {
    for (ConfirmedOrder o : orders) {
      sinkTable.putIfAbsent(o.orderId(), new String[] {"AS_CONFIRMED", "1"});
    }
    for (dev.seckill.spi.OrderStateChange c : changes) {
      String[] row = sinkTable.get(c.orderId());
      assertThat(row).as("a change after its order: %s", c).isNotNull();
      if (c.version() > Integer.parseInt(row[1])) {
        sinkTable.put(c.orderId(), new String[] {c.state().name(), Integer.toString(c.version())});
      }
    }
  }

  private static void maybeCheckpoint(StockLedger ledger, SplittableRandom random) {
    if (random.nextBoolean()) {
      ledger.checkpoint(); // the writer does this at the end of each Disruptor batch
    }
  }

  /** A known order (often a reservation), sometimes an id never issued. */
  private static long pickOrder(Model model, SplittableRandom random) {
    if (model.orders.isEmpty() || random.nextInt(20) == 0) {
      return 1 + model.seq + random.nextInt(5);
    }
    long[] reserved = model.orders.values().stream().filter(o -> o.state == OrderState.RESERVED)
        .mapToLong(o -> o.id).toArray();
    if (reserved.length > 0 && random.nextInt(4) != 0) {
      return reserved[random.nextInt(reserved.length)];
    }
    long[] ids = model.orders.keySet().stream().mapToLong(Long::longValue).toArray();
    return ids[random.nextInt(ids.length)];
  }

  /** To a reservation's deadline -1 ms, exactly, +1 ms, or an hour on. Never backwards. */
  private void moveClock(Model model, SplittableRandom random) {
    List<Order> pending = model.orders.values().stream()
        .filter(o -> o.state == OrderState.RESERVED).toList();
    long now = clock.millis();
    long to;
    if (pending.isEmpty() || random.nextInt(8) == 0) {
      to = now + (random.nextInt(4) == 0 ? 3_600_000 : 1 + random.nextInt(20_000));
    } else {
      Order o = pending.get(random.nextInt(pending.size()));
      to = o.deadline + random.nextInt(3) - 1;
    }
    if (to > now) {
      clock.set(Instant.ofEpochMilli(to));
    }
  }

  private static Map<String, SaleState> statesOf(StockLedger ledger) {
    Map<String, SaleState> states = new HashMap<>();
    for (SaleState s : ledger.sales()) {
      states.put(s.sale().id(), s);
    }
    return states;
  }

  private static void assertSameState(StockLedger ledger, Model model,
      Map<String, SaleState> states, int step) {
    for (Sale s : model.sales) {
      SaleState state = states.get(s.id());
      long[] c = model.counters.get(s.id());
      SaleState.Counters got = state.publishedCounters();
      assertThat(new long[] {got.remaining(), got.held(), got.paid()})
          .as("step %d: remaining, held, paid of %s", step, s.id()).containsExactly(c);
      if (s.payWithin() != null) {
        assertThat(got.remaining() + got.held() + got.paid()).as("step %d: stock of %s", step, s.id())
            .isEqualTo(s.stock());
      }
      assertThat(state.isSoldOut()).as("step %d: sold-out flag of %s", step, s.id())
          .isEqualTo(c[0] == 0);
    }
    for (Map.Entry<String, Long> e : model.bought.entrySet()) {
      String[] parts = e.getKey().split("\\|", 2);
      assertThat(ledger.unitsBought(states.get(parts[0]), parts[1]))
          .as("step %d: %s", step, e.getKey()).isEqualTo(e.getValue());
    }
    ReservationTable table = ledger.reservations();
    assertThat(table.count()).as("step %d: reservations", step).isEqualTo(model.reservations());
    for (Order o : model.orders.values()) {
      long slot = table.find(o.id);
      if (o.deadline == 0) {
        assertThat(slot).as("a final order is not a reservation").isNegative();
        continue;
      }
      assertThat(slot).as("step %d: order %d in the table", step, o.id).isNotNegative();
      assertThat(table.state(slot)).as("step %d: state of order %d", step, o.id).isEqualTo(o.state);
      assertThat(table.deadline(slot)).isEqualTo(o.deadline);
    }
    ledger.checkpoint(); // publishes the applied sequence, as the end of a writer batch does
    Map<Long, ConfirmedOrder> outbox = new TreeMap<>();
    ledger.outbox().forEach(o -> outbox.put(o.orderId(), o));
    assertThat(outbox).as("step %d: outbox", step).isEqualTo(model.outbox);
    assertThat(ledger.appliedSeq()).as("step %d: applied", step).isEqualTo(model.seq);
  }

  private static String describe(long decision) {
    return decision > 0 ? "order " + decision : Rejection.values()[(int) (-1L - decision)].name();
  }
}
