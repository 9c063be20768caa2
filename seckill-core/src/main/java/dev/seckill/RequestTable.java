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

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One shard's table of remembered request ids: the order id each confirmed purchase that carried
 * a {@link PurchaseRequest#requestId() request id} got, keyed by the 128-bit keyed hash of
 * (sale, request id) that the caller's thread computed ({@link UserKeys#hash} with the sale's
 * key index and {@link #DOMAIN} set), in a memory-mapped file ({@code requests.tbl}). The same
 * design as {@link UserTable} (fixed 32-byte slots, open addressing, linear probing, at most 60%
 * full, allocated in full at creation), in two <em>generations</em> so that old entries can be
 * dropped without deleting slots one by one.
 *
 * <h2>Layout</h2>
 * <pre>
 *  file offset 0      header page (4096 bytes), little-endian:
 *                       0 magic "SECKREQ1"   8 layout version (4)   12 unused (4)
 *                      16 capacity (slots per generation)   24 maxIds (per generation)
 *                      32 generation word: (start of the current generation, epoch ms) &lt;&lt; 1
 *                         | the current region (0 or 1)
 *                      40 entries in the current region at a clean close, -1 while open
 *                      48 unused   56 check: a mix of the words 0..31
 *  file offset 4096   region 0: capacity slots of 32 bytes
 *  then               region 1: capacity slots of 32 bytes
 *  a slot:            0 hi (0 = empty)   8 lo   16 order id (0 = none)   24 fingerprint of
 *                     (user, quantity), to refuse the same request id used for another purchase
 * </pre>
 *
 * <h2>Retention</h2>
 * New entries go into the current region. When an entry is to be added and the current
 * generation began at least {@code retention} ago, the table <em>rotates</em>: the other region
 * (the generation before, every entry of which is older than {@code retention}) is zeroed and
 * becomes the current one, starting now; the former current region becomes the previous one. A
 * lookup reads both regions. So an entry is remembered for at least {@code retention} (and
 * dropped, at the latest, at the second rotation after it was added). The current generation
 * holds at most {@code maxIds} entries: a confirmation that would add one more is refused
 * ({@link Rejection#OVERLOADED}) until the next rotation.
 *
 * <h2>Threads and crashes</h2>
 * <b>Single writer</b> ({@link #find}, {@link #insert}, {@link #roomFor}, {@link #undo}): the
 * shard's ledger thread, or the thread that opens or closes the ledger while no writer runs.
 * Caller threads may {@link #recall} concurrently: an insert stores the fingerprint, the order
 * id, {@code lo}, then {@code hi} with a release store (the commit word), and {@link #recall}
 * reads {@code hi} with an acquire load first, so a reader that sees the key sees its order id.
 *
 * <p>A {@code kill -9} leaves a slot whole or empty (hi last). Every entry is also in the journal
 * record of its order (bit 15 of the record's {@code idLen}, the key in the payload's last 16
 * bytes), and recovery re-inserts the keys of the records above the applied watermark, so an
 * entry lost or torn by a crash is redone. A rotation zeroes a region (each slot's {@code hi}
 * first) before it stores the generation word (one 8-byte store, the rotation's commit point): a
 * crash half-way leaves the old generation word, and a region half zeroed whose entries were
 * being dropped anyway; the next rotation zeroes it again. The count of entries in the current
 * region is stored at a clean close and counted by a scan after a crash.
 */
final class RequestTable implements AutoCloseable {
  static final String FILE = "requests.tbl";
  static final long MAGIC = 0x3151455255434553L; // "SECUREQ1" little-endian
  static final int VERSION = 1;
  static final int HEADER_BYTES = 4096;
  static final int SLOT_BYTES = 32;
  static final double LOAD = 0.6;
  /** Set in the sale key index a request key is hashed with, so it never equals a user key. */
  static final int DOMAIN = 0x8000_0000;
  private static final int PAGE = 4096;

  private static final VarHandle LONGS =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final Path file;
  private final MappedByteBuffer header;
  private final MappedByteBuffer[] regions;
  private final int capacity;
  private final long maxIds;
  /** The current region (0 or 1). Written by the writer; read by {@link #recall} (volatile). */
  private volatile int current;
  private long generationStart;
  private long count;
  /** Set by close before it waits for {@link #readers} to drain and unmaps. */
  private volatile boolean closed;
  /** Caller threads inside {@link #recall}: close unmaps only once none is. */
  private final java.util.concurrent.atomic.AtomicInteger readers =
      new java.util.concurrent.atomic.AtomicInteger();

  private RequestTable(Path file, MappedByteBuffer header, MappedByteBuffer[] regions,
      int capacity, long maxIds) {
    this.file = file;
    this.header = header;
    this.regions = regions;
    this.capacity = capacity;
    this.maxIds = maxIds;
  }

  /** Slots per region for {@code maxIds} entries per generation. */
  static int capacityFor(long maxIds) {
    return (int) Math.ceil(maxIds / LOAD);
  }

  /** The file size for {@code maxIds} entries per generation. */
  static long bytesFor(long maxIds) {
    return HEADER_BYTES + 2L * capacityFor(maxIds) * SLOT_BYTES;
  }

  /** The fingerprint of a purchase by (user key, quantity): what a retry must match. */
  static long fingerprint(UserKey user, int quantity) {
    long x = user.hi ^ Long.rotateLeft(user.lo, 23) ^ (quantity * 0x9E3779B97F4A7C15L);
    x ^= x >>> 31;
    return x * 0xBF58476D1CE4E5B9L;
  }

  /**
   * Creates {@code file} (which must not exist) for {@code maxIds} entries per generation, the
   * first generation starting at {@code nowMillis}. The caller removes the file if this throws.
   */
  static RequestTable create(Path file, long maxIds, long nowMillis, boolean prefault)
      throws IOException {
    long size = bytesFor(maxIds);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0}), size - 1);
    }
    StockLedger.allocate(file);
    RequestTable t = map(file, capacityFor(maxIds), maxIds);
    try {
      if (prefault) {
        t.prefault(false);
      }
      MappedByteBuffer h = t.header;
      LONGS.set(h, 8, (long) VERSION);
      LONGS.set(h, 16, (long) t.capacity);
      LONGS.set(h, 24, maxIds);
      LONGS.set(h, 32, nowMillis << 1);
      LONGS.set(h, 40, -1L);
      LONGS.set(h, 0, MAGIC);
      LONGS.set(h, 56, check(h));
      h.force();
      t.current = 0;
      t.generationStart = nowMillis;
    } catch (RuntimeException | Error e) {
      t.close();
      throw e;
    }
    return t;
  }

  /**
   * Opens an existing table.
   *
   * @throws IOException if the file is not a request table of this layout
   * @param expectedMaxIds the configured bound, which must be the table's; 0 to take the
   *     table's (tools and tests)
   * @throws IllegalStateException if it was created for another {@code maxIds} (the setting
   *     {@code maxRequestIdsPerShard} is fixed when the table is created)
   */
  static RequestTable open(Path file, long expectedMaxIds, boolean prefault) throws IOException {
    long size = Files.size(file);
    if (size < HEADER_BYTES) {
      throw new IOException(file + " is not a seckill request table: " + size + " bytes");
    }
    java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(HEADER_BYTES);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (h.hasRemaining() && ch.read(h) >= 0) {
        // the whole header page
      }
    }
    if ((long) LONGS.get(h, 0) != MAGIC || (long) LONGS.get(h, 56) != check(h)) {
      throw new IOException(file + " is not a seckill request table or its header is damaged");
    }
    if ((long) LONGS.get(h, 8) != VERSION) {
      throw new IOException(file + " has request-table layout " + LONGS.get(h, 8)
          + "; this seckill reads " + VERSION);
    }
    long capacity = (long) LONGS.get(h, 16);
    long maxIds = (long) LONGS.get(h, 24);
    if (capacity != capacityFor(maxIds) || size < bytesFor(maxIds)) {
      throw new IOException(file + " is damaged: " + size + " bytes for " + capacity + " slots");
    }
    if (expectedMaxIds != 0 && maxIds != expectedMaxIds) {
      throw new IllegalStateException("the request table " + file + " was created with"
          + " maxRequestIdsPerShard=" + maxIds + " but the engine is configured with"
          + " maxRequestIdsPerShard=" + expectedMaxIds + "; this setting cannot change while the"
          + " ledger files exist");
    }
    RequestTable t = map(file, (int) capacity, maxIds);
    try {
      if (prefault) {
        t.prefault(true);
      }
      long word = (long) LONGS.get(t.header, 32);
      t.current = (int) (word & 1);
      t.generationStart = word >> 1;
      long stored = (long) LONGS.get(t.header, 40);
      t.count = stored >= 0 ? stored : t.scanCount(t.current);
      LONGS.set(t.header, 40, -1L);
    } catch (RuntimeException | Error e) {
      t.close();
      throw e;
    }
    return t;
  }

  private static RequestTable map(Path file, int capacity, long maxIds) throws IOException {
    MappedByteBuffer header = null;
    MappedByteBuffer[] regions = new MappedByteBuffer[2];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      header = ch.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_BYTES);
      long bytes = (long) capacity * SLOT_BYTES;
      for (int r = 0; r < 2; r++) {
        regions[r] = ch.map(FileChannel.MapMode.READ_WRITE, HEADER_BYTES + r * bytes, bytes);
      }
    } catch (IOException | RuntimeException | Error e) {
      OrderJournal.unmap(header);
      for (MappedByteBuffer m : regions) {
        OrderJournal.unmap(m);
      }
      throw e;
    }
    return new RequestTable(file, header, regions, capacity, maxIds);
  }

  private static long check(java.nio.ByteBuffer h) {
    long x = 0x9E3779B97F4A7C15L;
    for (int off = 0; off < 32; off += 8) {
      x = Long.rotateLeft(x ^ (long) LONGS.get(h, off), 29) * 0xBF58476D1CE4E5B9L;
    }
    return x;
  }

  private void prefault(boolean existing) {
    for (MappedByteBuffer m : regions) {
      for (int p = 0, limit = m.capacity(); p < limit; p += PAGE) {
        m.put(p, existing ? m.get(p) : 0);
      }
    }
  }

  private long scanCount(int region) {
    long used = 0;
    MappedByteBuffer m = regions[region];
    for (int p = 0, limit = m.capacity(); p < limit; p += SLOT_BYTES) {
      if ((long) LONGS.get(m, p) != 0) {
        used++;
      }
    }
    return used;
  }

  /** Entries in the current generation. Writer thread. */
  long count() {
    return count;
  }

  /** The bound per generation. */
  long maxIds() {
    return maxIds;
  }

  /** When the current generation began, epoch ms. Writer thread. */
  long generationStart() {
    return generationStart;
  }

  /**
   * The slot of ({@code hi}, {@code lo}) in region {@code region}: {@code >= 0} if present, else
   * {@code -1 - s} for the empty slot an insert takes. Loads {@code hi} with acquire semantics, so
   * caller threads may use it too.
   */
  private int probe(int region, long hi, long lo) {
    MappedByteBuffer m = regions[region];
    int cap = capacity;
    int s = (int) (Math.multiplyHigh(lo, cap) + ((lo >> 63) & cap)); // unsigned lo × cap >> 64
    for (int n = 0; n < cap; n++) {
      int off = s * SLOT_BYTES;
      long h = (long) LONGS.getAcquire(m, off);
      if (h == 0) {
        return -1 - s;
      }
      if (h == hi && (long) LONGS.get(m, off + 8) == lo) {
        return s;
      }
      if (++s == cap) {
        s = 0;
      }
    }
    return Integer.MIN_VALUE; // full region (never at the 60% bound; a half-zeroed one may be)
  }

  /**
   * Finds {@code key} in either generation: returns a handle ({@code region × capacity + slot})
   * if present with an order id, else -1. Writer thread.
   */
  long find(UserKey key) {
    int cur = current;
    for (int i = 0; i < 2; i++) {
      int region = i == 0 ? cur : 1 - cur;
      int s = probe(region, key.hi, key.lo);
      if (s >= 0 && orderIdAt(region, s) != 0) {
        return (long) region * capacity + s;
      }
    }
    return -1;
  }

  /** The order id of the entry {@link #find} returned. */
  long orderId(long handle) {
    return orderIdAt((int) (handle / capacity), (int) (handle % capacity));
  }

  /** The fingerprint of the entry {@link #find} returned. */
  long fingerprint(long handle) {
    return (long) LONGS.get(regions[(int) (handle / capacity)],
        (int) (handle % capacity) * SLOT_BYTES + 24);
  }

  private long orderIdAt(int region, int slot) {
    return (long) LONGS.get(regions[region], slot * SLOT_BYTES + 16);
  }

  /**
   * Caller threads: the order id remembered for {@code key} if its fingerprint is
   * {@code fingerprint}; 0 if absent (or remembered for another purchase). Lock-free; may miss
   * an entry being added concurrently (the writer then answers), never reports a wrong one.
   */
  long recall(UserKey key, long fingerprint) {
    readers.incrementAndGet(); // then read closed: close() sets closed, then reads readers
    try {
      return closed ? 0 : recallOpen(key, fingerprint);
    } finally {
      readers.decrementAndGet();
    }
  }

  private long recallOpen(UserKey key, long fingerprint) {
    int cur = current; // volatile read
    for (int i = 0; i < 2; i++) {
      int region = i == 0 ? cur : 1 - cur;
      int s = probe(region, key.hi, key.lo);
      if (s >= 0) {
        MappedByteBuffer m = regions[region];
        long orderId = (long) LONGS.get(m, s * SLOT_BYTES + 16);
        long fp = (long) LONGS.get(m, s * SLOT_BYTES + 24);
        if (orderId != 0 && (long) LONGS.getAcquire(m, s * SLOT_BYTES) == key.hi) {
          return fp == fingerprint ? orderId : 0;
        }
      }
    }
    return 0;
  }

  /**
   * Makes room for one more entry at {@code nowMillis}: rotates the generations if the current
   * one began at least {@code retentionMillis} ago, then answers whether the current generation
   * is below its bound. Writer thread.
   */
  boolean roomFor(long nowMillis, long retentionMillis) {
    if (nowMillis - generationStart >= retentionMillis) {
      rotate(nowMillis);
    }
    return count < maxIds;
  }

  /** Zeroes the previous region and makes it the current one, starting at {@code nowMillis}. */
  void rotate(long nowMillis) {
    int next = 1 - current;
    MappedByteBuffer m = regions[next];
    for (int p = 0, limit = m.capacity(); p < limit; p += SLOT_BYTES) {
      if ((long) LONGS.get(m, p) != 0) {
        LONGS.setRelease(m, p, 0L); // hi first: the slot reads empty from here on
        LONGS.set(m, p + 8, 0L);
        LONGS.set(m, p + 16, 0L);
        LONGS.set(m, p + 24, 0L);
      }
    }
    LONGS.setRelease(header, 32, (nowMillis << 1) | next); // the rotation's commit point
    generationStart = nowMillis;
    count = 0;
    current = next; // volatile: recall reads the new current region first
  }

  /**
   * Adds {@code key} → {@code orderId} to the current generation unless it is in either already
   * (recovery re-inserts); returns a handle for {@link #undo}, or -1 if nothing was added. The
   * caller checked {@link #roomFor} first (recovery inserts past the bound rather than lose a
   * confirmed entry, while the region has free slots). Writer thread.
   */
  long insert(UserKey key, long orderId, long fingerprint) {
    if (find(key) >= 0) {
      return -1;
    }
    int region = current;
    int s = probe(region, key.hi, key.lo);
    if (s == Integer.MIN_VALUE) {
      throw new IllegalStateException("request table " + file + " has no free slot");
    }
    if (s >= 0) {
      // present without an order id (a torn slot): overwrite it below
    } else {
      s = -1 - s;
    }
    MappedByteBuffer m = regions[region];
    int off = s * SLOT_BYTES;
    LONGS.set(m, off + 24, fingerprint);
    LONGS.set(m, off + 16, orderId);
    LONGS.set(m, off + 8, key.lo);
    LONGS.setRelease(m, off, key.hi); // ordered store: the slot is whole once hi is visible
    count++;
    return (long) region * capacity + s;
  }

  /** Takes back the entry {@link #insert} just added (the order it names was undone). */
  void undo(long handle) {
    if (handle < 0) {
      return;
    }
    MappedByteBuffer m = regions[(int) (handle / capacity)];
    int off = (int) (handle % capacity) * SLOT_BYTES;
    LONGS.setRelease(m, off, 0L);
    LONGS.set(m, off + 16, 0L);
    count--;
  }

  /** Stores the count (a clean close) and unmaps; only when no thread uses the table. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true; // volatile: a recall() that starts from now on reads nothing
    LONGS.set(header, 40, count);
    unmap();
  }

  /** Waits for the recalls in progress (a few probes each), then unmaps everything. */
  private void unmap() {
    while (readers.get() != 0) {
      Thread.onSpinWait();
    }
    OrderJournal.unmap(header);
    for (MappedByteBuffer m : regions) {
      OrderJournal.unmap(m);
    }
  }

  /** Unmaps without storing the count, as a crash leaves the file (test seam). */
  void abandon() {
    closed = true;
    unmap();
  }

  @Override
  public String toString() {
    return "RequestTable[" + file + ", " + count + " of " + maxIds + " ids in the current"
        + " generation, " + capacity + " slots per generation]";
  }
}
