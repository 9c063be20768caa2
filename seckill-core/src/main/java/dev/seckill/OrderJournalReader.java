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

import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.OrderStateChange;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The outbox: the reading side of one shard's {@link OrderJournal}, owned by the flusher thread.
 * It reads orders above the flushed watermark and at or below the sequence the ledger writer
 * published, and advances the watermark once the sink stored them (persisting it first, then
 * publishing it to the writer, which may then recycle the segments wholly below it).
 *
 * <p>Threads: {@link #readUnflushed}, {@link #markFlushed} and {@link #flushedSeq} on the thread
 * bound by {@link #bindFlusher} (the flusher; asserted), or on any one thread while none is bound
 * (tests, tools, a ledger without a sink). {@link #size} from any thread.
 */
final class OrderJournalReader {
  private final OrderJournal journal;
  private final ByteBuffer[] views;
  private final CRC32C crc = new CRC32C();
  private final OrderRecord scratch = new OrderRecord();
  private final IntFunction<String> saleIdOf;
  private final LongSupplier publishedSeq;
  private final LongConsumer persistFlushed;
  /** Where sequence {@code flushedSeq + 1} is (or will be written). */
  private final OrderJournal.Cursor flushed = new OrderJournal.Cursor();
  /** Where the last {@link #readUnflushed} stopped. */
  private final OrderJournal.Cursor read = new OrderJournal.Cursor();
  private final OrderJournal.Cursor scan = new OrderJournal.Cursor();
  private long flushedSeq;
  private volatile @Nullable Thread owner;

  /**
   * A reader whose watermark is {@code flushedSeq}; {@code persistFlushed} stores a new one
   * durably before it is published.
   */
  OrderJournalReader(OrderJournal journal, long flushedSeq, IntFunction<String> saleIdOf,
      LongSupplier publishedSeq, LongConsumer persistFlushed) {
    this.journal = journal;
    this.saleIdOf = saleIdOf;
    this.publishedSeq = publishedSeq;
    this.persistFlushed = persistFlushed;
    this.views = new ByteBuffer[journal.slots()];
    for (int i = 0; i < views.length; i++) {
      views[i] = journal.view(i);
    }
    this.flushedSeq = flushedSeq;
    if (!journal.seek(flushedSeq + 1, flushed, views, crc)) {
      // Nothing unflushed: the next record is the first of the writer's next segment.
      flushed.segment = journal.writerOffset() >= journal.segmentBytes()
          ? journal.writerSegment() + 1 : journal.writerSegment();
      flushed.offset = journal.writerOffset() >= journal.segmentBytes()
          ? OrderJournal.HEADER_BYTES : journal.writerOffset();
      flushed.seq = flushedSeq + 1;
    }
    read.set(flushed);
    journal.publishFlushed(flushedSeq);
  }

  /** Binds the calling thread (the flusher) as the only one allowed to read and mark. */
  void bindFlusher() {
    owner = Thread.currentThread();
  }

  private boolean onOwner() {
    Thread t = owner;
    return t == null || t == Thread.currentThread();
  }

  /** The highest sequence the sink has confirmed storing. Flusher thread. */
  long flushedSeq() {
    assert onOwner() : "outbox read off the flusher thread";
    return flushedSeq;
  }

  /** Orders confirmed (published) and not yet stored in the sink. Any thread. */
  long size() {
    return Math.max(0, publishedSeq.getAsLong() - journal.flushedSeq());
  }

  /**
   * Reads up to {@code max} orders with sequence numbers in {@code (flushedSeq, upTo]} into
   * {@code out}, in sequence order. Reservation state changes (record types 2-4) are passed over:
   * they are not orders (the sink does not receive them yet), but their sequences count as read. {@code upTo} must not pass the ledger's published sequence.
   * Flusher thread.
   *
   * @return the highest sequence number read
   */
  long readUnflushed(long upTo, int max, List<ConfirmedOrder> out) {
    return readUnflushed(upTo, max, out, null);
  }

  /**
   * {@link #readUnflushed(long, int, List)}, also collecting the reservation state changes
   * (record types 2-4) read into {@code changes} (if not null), in journal order. Flusher thread.
   */
  long readUnflushed(long upTo, int max, List<ConfirmedOrder> out,
      @Nullable List<OrderStateChange> changes) {
    assert onOwner() : "outbox read off the flusher thread";
    journal.requireOpen();
    scan.set(flushed);
    while (scan.seq <= upTo && out.size() < max) {
      if (!journal.next(scan, views, crc, scratch)) {
        throw new IllegalStateException("the journal in " + journal.directory() + " has no valid"
            + " record for sequence " + scan.seq + ", published by the ledger; it is damaged");
      }
      if (scratch.type <= 1) { // orders and reservations; state changes (2-4) are not orders
        out.add(toOrder(scratch));
      } else if (changes != null) {
        changes.add(toChange(scratch));
      }
    }
    read.set(scan);
    return scan.seq - 1;
  }

  private static final dev.seckill.OrderState[] STATES = dev.seckill.OrderState.values();

  private OrderStateChange toChange(OrderRecord r) {
    return new OrderStateChange(r.orderId, saleIdOf.apply(r.saleIndex), STATES[r.state], r.version,
        r.quantity, Instant.ofEpochMilli(r.confirmedAtMillis));
  }

  private ConfirmedOrder toOrder(OrderRecord r) {
    return new ConfirmedOrder(r.orderId, saleIdOf.apply(r.saleIndex), r.userId.toString(),
        r.quantity, Instant.ofEpochMilli(r.confirmedAtMillis));
  }

  /**
   * Records that the sink durably stored every order up to {@code seq}: persists the flushed
   * watermark, then publishes it (the writer may now reuse the segments wholly at or below it).
   * No per-order delete. Flusher thread.
   */
  void markFlushed(long seq) {
    assert onOwner() : "outbox marked off the flusher thread";
    if (seq <= flushedSeq) {
      return;
    }
    journal.requireOpen();
    if (read.seq == seq + 1) {
      flushed.set(read);
    } else {
      while (flushed.seq <= seq) {
        if (!journal.next(flushed, views, crc, null)) {
          throw new IllegalStateException("the journal in " + journal.directory()
              + " has no valid record for sequence " + flushed.seq + "; it is damaged");
        }
      }
    }
    persistFlushed.accept(seq);
    flushedSeq = seq;
    journal.publishFlushed(seq);
  }

  /**
   * Reads every order above the flushed watermark up to the published sequence, in sequence
   * order. For tools and tests: call it on the flusher thread or when nothing else reads;
   * allocates one {@link ConfirmedOrder} per order.
   */
  void forEach(Consumer<ConfirmedOrder> action) {
    journal.requireOpen();
    ByteBuffer[] own = new ByteBuffer[views.length];
    for (int i = 0; i < own.length; i++) {
      own[i] = journal.view(i);
    }
    CRC32C c = new CRC32C();
    OrderRecord r = new OrderRecord();
    OrderJournal.Cursor cur = new OrderJournal.Cursor();
    cur.set(flushed);
    long upTo = publishedSeq.getAsLong();
    while (cur.seq <= upTo && journal.next(cur, own, c, r)) {
      if (r.type <= 1) {
        action.accept(toOrder(r));
      }
    }
  }
}
