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
package dev.seckill.internal.ledger;

import dev.seckill.Rejection;
import dev.seckill.Sale;
import dev.seckill.internal.ChronicleDefaults;
import dev.seckill.spi.ConfirmedOrder;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's stock ledger: remaining stock per sale, units bought per (sale, user), the order-id
 * sequence and the outbox of confirmed orders, kept off-heap in persisted Chronicle Map files.
 *
 * <h2>Concurrency</h2>
 * <b>Single writer.</b> Every mutation ({@link #register}, {@link #decide}) runs on the shard's
 * ledger thread, the Disruptor consumer that owns this instance; {@link #bindWriter} records that
 * thread and an {@code assert} checks it on each call, in the manner of the Disruptor's
 * {@code SingleProducerSequencer}. Because only one thread decides, a decision needs no lock and
 * no compare-and-set: check, then write, cannot race. (Chronicle Map still takes its own
 * per-segment lock inside each {@code get}/{@code put}; nothing else contends for it on the hot
 * path except a flusher draining the outbox.)
 *
 * <p><b>What other threads may read.</b> Caller threads read a sale's sold-out flag and the
 * published counters of {@link SaleState}; those are volatile or release/acquire and are written
 * only here. The Disruptor's sequence barrier gives happens-before from the writer's decision to
 * the responder thread that completes the caller's future.
 *
 * <h2>Crash consistency</h2>
 * Chronicle Map has no transaction across keys or maps, so a {@code kill -9} can land between any
 * two writes. A confirmation therefore writes, in this order:
 * <ol>
 *   <li>the {@link OrderRecord} under key {@code seq} in the outbox: the record of truth, carrying
 *       the values <em>after</em> the order (remaining stock, sale order count, user units);
 *   <li>the user's units bought (a set, not an add);
 * </ol>
 * and, once per Disruptor batch ({@link #checkpoint}), for the batch as a whole:
 * <ol start="3">
 *   <li>each touched sale's remaining stock and order count (sets);
 *   <li>the applied watermark, last; only then is it published to the flusher.
 * </ol>
 * Recovery reads the watermark and replays {@code watermark + 1, +2, ...} for as long as records
 * exist. Replay only sets values, so it is idempotent, and any prefix of the writes above recovers
 * to either "order absent" (step 1 missing: nothing else was written, the caller was never told)
 * or "order applied". The sequence resumes after the highest applied record, so an order id is
 * never reused. The flusher removes records only at or below the published watermark, so the
 * records recovery needs are always there.
 *
 * <p>Chronicle Map files are memory-mapped: a write is in the OS page cache as soon as the call
 * returns, which survives a process crash but not a power loss or kernel panic (see
 * docs/guarantees.md).
 */
public final class StockLedger implements AutoCloseable {
  static {
    ChronicleDefaults.apply(); // before any Chronicle class runs: no analytics, no banner
  }

  private static final Logger log = LoggerFactory.getLogger(StockLedger.class);

  private static final Long WATERMARK_KEY = -1L;
  private static final Long FLUSHED_KEY = -2L;
  private static final VarHandle PUBLISHED_SEQ;

  static {
    try {
      PUBLISHED_SEQ = MethodHandles.lookup().findVarHandle(StockLedger.class, "publishedSeq", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
  private static final String CLEAN_MARKER = "CLEAN";
  private static final int AVERAGE_USER_KEY_BYTES = 40;
  private static final int AVERAGE_ORDER_BYTES = 48 + 32;

  private final LedgerConfig config;
  private final ChronicleMap<CharSequence, Long> users;
  private final ChronicleMap<Long, OrderRecord> outbox;
  private final ChronicleMap<Long, Long> counters;
  private final SaleCatalog catalog;
  /** Appended by the writer; read by the flusher to name an order's sale. */
  private final List<SaleState> sales = new CopyOnWriteArrayList<>();
  private final boolean recovered;
  private final long replayed;

  // Writer-confined state: touched only by the writer thread (or by open/close, before/after it).
  private final StringBuilder userKey = new StringBuilder(64);
  private final OrderRecord scratch = new OrderRecord();
  private long appliedSeq;
  private long userCount;
  /** The thread allowed to mutate; volatile so the hand-over at shutdown is visible. */
  private volatile Thread writer;

  /** {@code appliedSeq} as published to other threads: release store by the writer. */
  @SuppressWarnings("unused") // accessed through PUBLISHED_SEQ
  private long publishedSeq;

  /** Orders in the outbox: incremented by the writer, decreased by the flusher. */
  private final AtomicLong outboxSize = new AtomicLong();

  // Flusher-confined state.
  private final OrderRecord flusherScratch = new OrderRecord();
  private long flushedSeq;
  private boolean closed;

  /** Test seam: called after each numbered write of a confirmation (1..4). */
  interface WriteProbe {
    WriteProbe NONE = step -> {};

    void afterWrite(int step);
  }

  private WriteProbe probe = WriteProbe.NONE;

  /** Sales whose counters changed since the last checkpoint (writer-confined). */
  private final boolean[] dirty;
  private final int[] dirtySales;
  private int dirtyCount;

  /** Test seam: installs a probe that may throw to simulate a crash between two writes. */
  void probe(WriteProbe probe) {
    this.probe = probe;
  }

  private StockLedger(LedgerConfig config, ChronicleMap<CharSequence, Long> users,
      ChronicleMap<Long, OrderRecord> outbox, ChronicleMap<Long, Long> counters,
      SaleCatalog catalog, boolean recovered) {
    this.config = config;
    this.users = users;
    this.outbox = outbox;
    this.counters = counters;
    this.catalog = catalog;
    this.recovered = recovered;
    this.dirty = new boolean[config.maxSales()];
    this.dirtySales = new int[config.maxSales()];
    Long watermark = counters.get(WATERMARK_KEY);
    this.appliedSeq = watermark == null ? 0 : watermark;
    List<Sale> specs = catalog.sales();
    for (int i = 0; i < specs.size(); i++) {
      sales.add(loadSale(specs.get(i), i));
    }
    this.replayed = replayTail();
    this.userCount = users.longSize();
    this.outboxSize.set(outbox.longSize());
    Long flushed = counters.get(FLUSHED_KEY);
    this.flushedSeq = flushed == null ? 0 : flushed;
    PUBLISHED_SEQ.setRelease(this, appliedSeq);
  }

  /**
   * Opens (or creates) the ledger in {@code config.directory()}. If the previous owner did not
   * close it cleanly, each map is opened in Chronicle's recovery mode and the tail of the outbox
   * is replayed.
   */
  public static StockLedger open(LedgerConfig config) throws IOException {
    Path dir = config.directory();
    Files.createDirectories(dir);
    Path marker = dir.resolve(CLEAN_MARKER);
    boolean fresh = !Files.exists(dir.resolve("outbox.cm3"));
    boolean clean = fresh || Files.exists(marker);
    ChronicleMap<CharSequence, Long> users = null;
    ChronicleMap<Long, OrderRecord> outbox = null;
    ChronicleMap<Long, Long> counters = null;
    try {
      users = openMap(ChronicleMapBuilder.of(CharSequence.class, Long.class)
          .name("seckill-users-" + config.shardIndex())
          .entries(config.maxUsers())
          .averageKeySize(AVERAGE_USER_KEY_BYTES)
          .maxBloatFactor(2.0)
          .putReturnsNull(true)
          .removeReturnsNull(true), dir.resolve("users.cm3"), clean);
      outbox = openMap(ChronicleMapBuilder.of(Long.class, OrderRecord.class)
          .name("seckill-outbox-" + config.shardIndex())
          .entries(config.outboxCapacity())
          .averageValueSize(AVERAGE_ORDER_BYTES)
          .valueMarshallers(OrderRecordMarshaller.INSTANCE, OrderRecordMarshaller.INSTANCE)
          .maxBloatFactor(2.0)
          .putReturnsNull(true)
          .removeReturnsNull(true), dir.resolve("outbox.cm3"), clean);
      counters = openMap(ChronicleMapBuilder.of(Long.class, Long.class)
          .name("seckill-counters-" + config.shardIndex())
          .entries(2L * config.maxSales() + 16)
          .putReturnsNull(true)
          .removeReturnsNull(true), dir.resolve("counters.cm3"), clean);
      // From here on the files are in use: a crash must be treated as unclean on next open.
      Files.deleteIfExists(marker);
      SaleCatalog.Durability.forceDirectory(dir);
      StockLedger ledger = new StockLedger(config, users, outbox, counters,
          SaleCatalog.load(dir), !clean);
      log.info("seckill ledger shard {} opened {} in {}: sales={}, appliedSeq={}, replayed={},"
              + " users={}, outbox={}",
          config.shardIndex(), clean ? "cleanly" : "after an unclean stop (recovered)", dir,
          ledger.sales.size(), ledger.appliedSeq, ledger.replayed, ledger.userCount,
          ledger.outboxSize.get());
      return ledger;
    } catch (IOException | RuntimeException e) {
      closeQuietly(users);
      closeQuietly(outbox);
      closeQuietly(counters);
      throw e;
    }
  }

  private static <K, V> ChronicleMap<K, V> openMap(ChronicleMapBuilder<K, V> builder, Path file,
      boolean clean) throws IOException {
    File f = file.toFile();
    if (clean || !f.exists()) {
      return builder.createPersistedTo(f);
    }
    return builder.recoverPersistedTo(f, true);
  }

  private static void closeQuietly(ChronicleMap<?, ?> map) {
    if (map != null) {
      try {
        map.close();
      } catch (RuntimeException ignored) {
        // already failing; the original exception is the one to report
      }
    }
  }

  private SaleState loadSale(Sale sale, int index) {
    Long remaining = counters.get(remainingKey(index));
    Long orders = counters.get(ordersKey(index));
    if (remaining == null) {
      // Crashed between writing the catalog and the counters: no order can exist yet.
      remaining = sale.stock();
      orders = 0L;
      counters.put(remainingKey(index), remaining);
      counters.put(ordersKey(index), orders);
    }
    return new SaleState(sale, config.shardIndex(), index, remaining, orders == null ? 0 : orders);
  }

  /** Re-applies every outbox record above the watermark; returns how many. */
  private long replayTail() {
    long count = 0;
    OrderRecord r;
    while ((r = outbox.getUsing(appliedSeq + 1, scratch)) != null) {
      if (r.saleIndex < 0 || r.saleIndex >= sales.size()) {
        throw new IllegalStateException("outbox record " + (appliedSeq + 1)
            + " names sale index " + r.saleIndex + " but the catalog holds " + sales.size()
            + " sales; the ledger in " + config.directory() + " is damaged");
      }
      SaleState sale = sales.get(r.saleIndex);
      buildUserKey(sale.index(), r.userId);
      users.put(userKey, (long) r.userUnitsAfter);
      sale.applyConfirmed(r.stockAfter, r.saleOrdersAfter);
      markDirty(sale.index());
      appliedSeq++;
      count++;
    }
    checkpoint();
    return count;
  }

  /** Records the calling thread as the only one allowed to mutate this ledger. */
  public void bindWriter() {
    writer = Thread.currentThread();
  }

  /** Called by the writer as it stops: from now on the closing thread may finish the ledger. */
  public void releaseWriter() {
    writer = null;
  }

  private boolean onWriterThread() {
    return writer == null || writer == Thread.currentThread();
  }

  /** The sales this shard holds, in catalog order. Writer thread, or before the writer starts. */
  public List<SaleState> sales() {
    return Collections.unmodifiableList(new ArrayList<>(sales));
  }

  /** True if this open had to recover from an unclean stop. */
  public boolean recovered() {
    return recovered;
  }

  /** Outbox records replayed by recovery on open. */
  public long replayed() {
    return replayed;
  }

  /**
   * Registers a sale, or returns the existing state if the same spec is already registered.
   * Writer thread only.
   *
   * @throws IllegalArgumentException if a sale with the same id but a different spec exists
   * @throws IllegalStateException if the shard holds its maximum number of sales
   */
  public SaleState register(Sale sale) {
    assert onWriterThread() : "register called off the ledger writer thread";
    for (SaleState existing : sales) { // a few sales: linear scan is fine on this admin path
      if (existing.sale().id().equals(sale.id())) {
        List<String> diffs = existing.sale().differences(sale);
        if (!diffs.isEmpty()) {
          throw new IllegalArgumentException("sale '" + sale.id()
              + "' is already registered with a different spec (registered vs new): "
              + String.join(", ", diffs));
        }
        return existing;
      }
    }
    if (sales.size() >= config.maxSales()) {
      throw new IllegalStateException("shard " + config.shardIndex() + " already holds maxSales="
          + config.maxSales() + " sales; cannot register '" + sale.id() + "'");
    }
    int index = catalog.add(sale); // durable first; counters missing on crash means "untouched"
    counters.put(remainingKey(index), sale.stock());
    counters.put(ordersKey(index), 0L);
    SaleState state = new SaleState(sale, config.shardIndex(), index, sale.stock(), 0);
    sales.add(state);
    log.info("seckill sale registered: {} on shard {}", sale, config.shardIndex());
    return state;
  }

  /**
   * Decides one purchase: confirms it (recording the order) if the stock and the user's limit
   * allow the whole quantity, otherwise refuses it. Writer thread only; allocation-free when the
   * request is refused and the user's count is below 128.
   *
   * @return a positive order id, or a negative code readable with {@link #rejectionOf(long)}
   */
  public long decide(SaleState sale, String userId, int quantity) {
    assert onWriterThread() : "decide called off the ledger writer thread";
    long remaining = sale.remainingForWriter();
    if (remaining == 0) {
      return reject(Rejection.SOLD_OUT);
    }
    if (quantity > remaining) {
      return reject(Rejection.INSUFFICIENT_STOCK);
    }
    buildUserKey(sale.index(), userId);
    // One hash lookup serves both the limit check and the update: the query context holds the
    // user's entry (under Chronicle's segment lock, uncontended: only this thread touches users).
    try (ExternalMapQueryContext<CharSequence, Long, ?> user = users.queryContext(userKey)) {
      user.updateLock().lock();
      MapEntry<CharSequence, Long> entry = user.entry();
      long bought = entry == null ? 0 : entry.value().get();
      if (bought + quantity > sale.sale().limitPerUser()) {
        return reject(Rejection.LIMIT_REACHED);
      }
      if ((entry == null && userCount >= config.maxUsers())
          || outboxSize.get() >= config.outboxCapacity()) {
        return reject(Rejection.OVERLOADED);
      }

      long seq = appliedSeq + 1;
      long orderId = orderIdOf(seq);
      long remainingAfter = remaining - quantity;
      long ordersAfter = sale.ordersForWriter() + 1;
      OrderRecord r = scratch;
      r.orderId = orderId;
      r.confirmedAtMillis = config.clock().millis();
      r.stockAfter = remainingAfter;
      r.saleOrdersAfter = ordersAfter;
      r.saleIndex = sale.index();
      r.quantity = quantity;
      r.userUnitsAfter = (int) (bought + quantity);
      r.userId.setLength(0);
      r.userId.append(userId);

      outbox.put(seq, r); // 1. the record of truth
      probe.afterWrite(1);
      Data<Long> unitsAfter = user.wrapValueAsData(bought + quantity);
      if (entry == null) { // 2. set, replayable
        user.insert(user.absentEntry(), unitsAfter);
        userCount++;
      } else {
        user.replaceValue(entry, unitsAfter);
      }
      probe.afterWrite(2);
      markDirty(sale.index()); // 3 and 4 follow in checkpoint(), once per batch

      appliedSeq = seq;
      outboxSize.incrementAndGet();
      sale.applyConfirmed(remainingAfter, ordersAfter);
      if (remainingAfter == 0) {
        log.info("seckill sale sold out: '{}' after {} orders", sale.sale().id(), ordersAfter);
      }
      return orderId;
    }
  }


  /**
   * Makes the sale counters and the applied watermark catch up with the orders decided since the
   * last checkpoint, then publishes the watermark to the flusher. The ledger writer calls it at
   * the end of each Disruptor batch, so its cost is shared by every order in the batch. Writer
   * thread only; cheap when nothing changed.
   */
  public void checkpoint() {
    assert onWriterThread() : "checkpoint called off the ledger writer thread";
    if (dirtyCount == 0) {
      return;
    }
    for (int i = 0; i < dirtyCount; i++) {
      int index = dirtySales[i];
      SaleState sale = sales.get(index);
      counters.put(remainingKey(index), sale.remainingForWriter()); // 3. set, replayable
      counters.put(ordersKey(index), sale.ordersForWriter());
      dirty[index] = false;
    }
    dirtyCount = 0;
    probe.afterWrite(3);
    counters.put(WATERMARK_KEY, appliedSeq); // 4. watermark last
    probe.afterWrite(4);
    PUBLISHED_SEQ.setRelease(this, appliedSeq); // ordered store: the flusher may read up to here
  }

  private void markDirty(int saleIndex) {
    if (!dirty[saleIndex]) {
      dirty[saleIndex] = true;
      dirtySales[dirtyCount++] = saleIndex;
    }
  }

  /** Units {@code userId} has bought in {@code sale}. Writer thread, or after it stopped. */
  public long unitsBought(SaleState sale, String userId) {
    buildUserKey(sale.index(), userId);
    Long bought = users.get(userKey);
    return bought == null ? 0 : bought;
  }

  /** The highest applied order sequence number; the next order takes the one after it. */
  public long appliedSeq() {
    return appliedSeq;
  }

  /** The directory holding this shard's ledger files. */
  public Path directory() {
    return config.directory();
  }

  /** Orders held in the outbox. Safe from any thread. */
  public long outboxSize() {
    return outboxSize.get();
  }

  /** The highest order sequence fully applied, as published by the writer. Any thread. */
  public long publishedSeq() {
    return (long) PUBLISHED_SEQ.getAcquire(this);
  }

  /** The order id of sequence number {@code seq} on this shard. */
  public long orderIdOfSeq(long seq) {
    return orderIdOf(seq);
  }

  // ---- Outbox draining: flusher thread only. The flusher touches only outbox keys at or below
  // publishedSeq (which the writer never writes again) and the FLUSHED_KEY counter (which the
  // writer never writes), so writer and flusher never write the same entry.

  /** The highest sequence the sink has confirmed storing. Flusher thread only. */
  public long flushedSeq() {
    return flushedSeq;
  }

  /**
   * Reads up to {@code max} orders with sequence numbers in {@code (flushedSeq, upTo]} into
   * {@code out}, in sequence order, skipping numbers already removed. Flusher thread only.
   *
   * @return the highest sequence number examined (everything up to it is in {@code out} or gone)
   */
  public long readUnflushed(long upTo, int max, List<ConfirmedOrder> out) {
    long seq = flushedSeq;
    while (seq < upTo && out.size() < max) {
      seq++;
      OrderRecord r = outbox.getUsing(seq, flusherScratch);
      if (r != null) {
        out.add(new ConfirmedOrder(r.orderId, sales.get(r.saleIndex).sale().id(),
            r.userId.toString(), r.quantity, Instant.ofEpochMilli(r.confirmedAtMillis)));
      }
    }
    return seq;
  }

  /**
   * Records that the sink durably stored every order up to {@code seq}: removes them from the
   * outbox, then persists the flushed watermark. A crash in between leaves orders that are offered
   * again on restart, which the sink's idempotency absorbs. {@code ordersStored} is how many
   * orders {@link #readUnflushed} returned for this range. Flusher thread only.
   */
  public void markFlushed(long seq, int ordersStored) {
    for (long s = flushedSeq + 1; s <= seq; s++) {
      outbox.remove(s);
    }
    counters.put(FLUSHED_KEY, seq);
    flushedSeq = seq;
    outboxSize.addAndGet(-ordersStored);
  }

  /**
   * Reads every order in the outbox, in no particular order. For tools, tests and the flusher;
   * allocates one {@link ConfirmedOrder} per order.
   */
  public void forEachOutboxOrder(Consumer<ConfirmedOrder> action) {
    List<String> saleIds = new ArrayList<>();
    for (SaleState s : sales) {
      saleIds.add(s.sale().id());
    }
    outbox.forEachEntry(entry -> {
      OrderRecord r = entry.value().get();
      action.accept(new ConfirmedOrder(r.orderId, saleIds.get(r.saleIndex), r.userId.toString(),
          r.quantity, Instant.ofEpochMilli(r.confirmedAtMillis)));
    });
  }

  /** Maps a per-shard sequence number to an engine-wide order id: ids interleave by shard. */
  private long orderIdOf(long seq) {
    return (seq - 1) * config.shardCount() + config.shardIndex() + 1;
  }

  private void buildUserKey(int saleIndex, CharSequence userId) {
    userKey.setLength(0);
    userKey.append(saleIndex).append('|').append(userId);
  }

  private static Long remainingKey(int saleIndex) {
    return 2L * saleIndex;
  }

  private static Long ordersKey(int saleIndex) {
    return 2L * saleIndex + 1;
  }

  private static long reject(Rejection reason) {
    return -1L - reason.ordinal();
  }

  /** True if {@code decision} (from {@link #decide}) is an order id. */
  public static boolean isConfirmed(long decision) {
    return decision > 0;
  }

  /** The reason encoded in a negative {@code decision}. */
  public static Rejection rejectionOf(long decision) {
    return REJECTIONS[(int) (-1L - decision)];
  }

  private static final Rejection[] REJECTIONS = Rejection.values();

  /**
   * The Disruptor's shutdown returns once the ring is drained and the writer told to halt; the
   * writer thread then leaves its loop and calls {@link #releaseWriter}. Wait for that hand-over
   * (bounded: a writer that died without it must not hang close forever).
   */
  private void awaitWriterStopped() {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    Thread w;
    while ((w = writer) != null && w != Thread.currentThread()) {
      if (!w.isAlive()) {
        break;
      }
      if (System.nanoTime() - deadline >= 0) {
        log.warn("seckill ledger shard {}: the writer thread did not stop within 10 s; closing anyway",
            config.shardIndex());
        break;
      }
      Thread.yield();
    }
    writer = null;
  }

  /**
   * Test seam: closes the maps as a crash would leave them (no clean-shutdown marker), so the
   * next open goes through recovery.
   */
  void abandon() {
    closed = true;
    users.close();
    outbox.close();
    counters.close();
  }

  /**
   * Closes the maps and leaves the clean-shutdown marker, so the next open skips recovery. Call
   * only after the writer has stopped.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    awaitWriterStopped();
    checkpoint();
    closed = true;
    users.close();
    outbox.close();
    counters.close();
    Path marker = config.directory().resolve(CLEAN_MARKER);
    Files.write(marker, new byte[0]);
    SaleCatalog.Durability.force(marker);
    SaleCatalog.Durability.forceDirectory(config.directory());
  }
}
