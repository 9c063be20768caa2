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
 * One shard's reservations (orders of sales with {@code payWithin}) by order id: an
 * open-addressing hash table of fixed 64-byte slots in a memory-mapped file
 * ({@code reservations.tbl}), bounded by {@code maxReservationsPerShard} entries, live or
 * terminal. Modelled on {@link UserTable}.
 *
 * <h2>Layout</h2>
 * <pre>
 *  file offset 0     header page (4096 bytes), little-endian:
 *                      0 magic "SECKRSV1"   8 layout version   16 capacity (slots)
 *                     24 maxEntries         32..55 unused      56 check of the words 0..31
 *  file offset 4096  capacity slots of 64 bytes:
 *                      0 orderId (0 = empty, -1 = reclaimed: a tombstone; the commit word)
 *                      8 deadline (epoch ms)       16 buyer key hi     24 buyer key lo
 *                     32 payment-ref hash (0 until paid)               40 terminal at (epoch ms)
 *                     48 saleIndex (4) | quantity (4)                  56 version &lt;&lt; 8 | state
 * </pre>
 * Linear probing from the order id's mixed hash; a lookup passes over tombstones, an insert takes
 * the first tombstone or empty slot it meets. The capacity is {@code maxEntries / 0.6}.
 *
 * <h2>Threads and crashes</h2>
 * <b>Single writer</b>: the shard's ledger thread (or the thread opening or closing the ledger),
 * as {@link StockLedger} asserts. An insert writes every field, then the order id with a release
 * store: a {@code kill -9} leaves the slot empty (or a tombstone) or whole. A state change writes
 * the payment hash and terminal time, then the state-and-version word in one 8-byte store.
 * Everything here is also in the journal record that set it (type 1 to 4, see
 * {@link OrderJournal}), and recovery replays the records above the applied watermark as sets,
 * so a lost or torn write is redone. Reclaiming (a tombstone) is one 8-byte store of a terminal
 * entry whose records are long applied; losing it to a crash only delays it.
 */
final class ReservationTable implements AutoCloseable {
  static final String FILE = "reservations.tbl";
  static final long MAGIC = 0x315653524B434553L; // "SECKRSV1" little-endian
  static final int VERSION = 1;
  static final int HEADER_BYTES = 4096;
  static final int SLOT_BYTES = 64;
  static final double LOAD = 0.6;
  /** The largest bound accepted: keeps the file in one mapping (under 2 GiB). */
  static final long MAX_ENTRIES = 16_000_000L;
  static final long EMPTY = 0;
  static final long TOMBSTONE = -1;
  private static final int PAGE = 4096;

  private static final VarHandle LONGS =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final OrderState[] STATES = OrderState.values();

  private final Path file;
  private final MappedByteBuffer header;
  private final MappedByteBuffer slots;
  private final long capacity;
  private final long maxEntries;
  /** Live entries (not empty, not tombstones). */
  private long count;
  /** The reclaim sweep's next slot. */
  private long sweep;
  private boolean closed;

  private ReservationTable(Path file, MappedByteBuffer header, MappedByteBuffer slots,
      long capacity, long maxEntries) {
    this.file = file;
    this.header = header;
    this.slots = slots;
    this.capacity = capacity;
    this.maxEntries = maxEntries;
  }

  static long capacityFor(long maxEntries) {
    return Math.max(16, (long) Math.ceil(maxEntries / LOAD));
  }

  static long bytesFor(long maxEntries) {
    return HEADER_BYTES + capacityFor(maxEntries) * SLOT_BYTES;
  }

  /** Opens {@code file}, creating it (full size, allocated, pre-faulted) if it does not exist. */
  static ReservationTable openOrCreate(Path file, long maxEntries, boolean prefault)
      throws IOException {
    if (Files.exists(file)) {
      return open(file, prefault);
    }
    Path tmp = file.resolveSibling(FILE + ".creating");
    Files.deleteIfExists(tmp);
    long capacity = capacityFor(maxEntries);
    long size = bytesFor(maxEntries);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0}), size - 1);
    }
    try {
      StockLedger.allocate(tmp);
      ReservationTable t = map(tmp, capacity, maxEntries);
      try {
        if (prefault) {
          t.prefault();
        }
        LONGS.set(t.header, 8, (long) VERSION);
        LONGS.set(t.header, 16, capacity);
        LONGS.set(t.header, 24, maxEntries);
        LONGS.set(t.header, 0, MAGIC);
        LONGS.set(t.header, 56, check(t.header));
        t.header.force();
      } finally {
        t.close();
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE); // whole, or absent
      Fsync.directory(java.util.Objects.requireNonNull(file.toAbsolutePath().getParent(), "parent"));
    } catch (IOException | RuntimeException | Error e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return open(file, false);
  }

  private static ReservationTable open(Path file, boolean prefault) throws IOException {
    long size = Files.size(file);
    if (size < HEADER_BYTES) {
      throw new IOException(file + " is not a seckill reservations table: " + size + " bytes");
    }
    java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(HEADER_BYTES);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (h.hasRemaining() && ch.read(h) >= 0) {
        // the whole header page
      }
    }
    long capacity = (long) LONGS.get(h, 16);
    long maxEntries = (long) LONGS.get(h, 24);
    if ((long) LONGS.get(h, 0) != MAGIC || (long) LONGS.get(h, 56) != check(h)) {
      throw new IOException(file + " is not a seckill reservations table or its header is damaged");
    }
    if ((long) LONGS.get(h, 8) != VERSION) {
      throw new IOException(file + " has reservations-table layout " + LONGS.get(h, 8)
          + "; this seckill reads " + VERSION);
    }
    if (capacity != capacityFor(maxEntries) || size < HEADER_BYTES + capacity * SLOT_BYTES) {
      throw new IOException(file + " is damaged: " + size + " bytes for " + capacity + " slots");
    }
    ReservationTable t = map(file, capacity, maxEntries);
    if (prefault) {
      t.prefault();
    }
    return t;
  }

  private static ReservationTable map(Path file, long capacity, long maxEntries)
      throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      MappedByteBuffer header = ch.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_BYTES);
      MappedByteBuffer slots;
      try {
        slots = ch.map(FileChannel.MapMode.READ_WRITE, HEADER_BYTES, capacity * SLOT_BYTES);
      } catch (IOException | RuntimeException | Error e) {
        OrderJournal.unmap(header);
        throw e;
      }
      return new ReservationTable(file, header, slots, capacity, maxEntries);
    }
  }

  private static long check(java.nio.ByteBuffer h) {
    long x = 0x9E3779B97F4A7C15L;
    for (int off = 0; off < 32; off += 8) {
      x = Long.rotateLeft(x ^ (long) LONGS.get(h, off), 29) * 0xBF58476D1CE4E5B9L;
    }
    return x;
  }

  private void prefault() {
    for (int p = 0; p < slots.capacity(); p += PAGE) {
      slots.put(p, slots.get(p));
    }
  }

  /** A 64-bit hash of a payment reference (FNV-1a over the chars, then mixed); never 0. */
  static long refHash(String ref) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < ref.length(); i++) {
      h = (h ^ ref.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h == 0 ? 1 : h;
  }

  long count() {
    return count;
  }

  long maxEntries() {
    return maxEntries;
  }

  long capacity() {
    return capacity;
  }

  private int off(long slot) {
    return (int) (slot * SLOT_BYTES);
  }

  private long home(long orderId) {
    long h = orderId * 0x9E3779B97F4A7C15L;
    h ^= h >>> 31;
    return Math.multiplyHigh(h, capacity) + ((h >> 63) & capacity); // unsigned high half
  }

  /**
   * The slot holding {@code orderId} ({@code >= 0}), else {@code -1 - s} with {@code s} the slot an
   * insert takes (the first tombstone or empty slot on the probe path), or
   * {@link Long#MIN_VALUE} if the table has neither on the whole path. Writer thread.
   */
  long find(long orderId) {
    long s = home(orderId);
    long free = -1;
    for (long i = 0; i < capacity; i++) {
      long id = (long) LONGS.getAcquire(slots, off(s));
      if (id == EMPTY) {
        return -1 - (free >= 0 ? free : s);
      }
      if (id == orderId) {
        return s;
      }
      if (id == TOMBSTONE && free < 0) {
        free = s;
      }
      if (++s == capacity) {
        s = 0;
      }
    }
    return free >= 0 ? -1 - free : Long.MIN_VALUE;
  }

  /**
   * Fills free slot {@code slot} (from {@link #find}, negated) with a reservation; the order id is
   * stored last (release). The caller checks the bound. Writer thread.
   */
  void insert(long slot, long orderId, long deadline, UserKey key, int saleIndex, int quantity,
      OrderState state, int version, long refHash, long terminalAt) {
    int o = off(slot);
    LONGS.set(slots, o + 8, deadline);
    LONGS.set(slots, o + 16, key.hi);
    LONGS.set(slots, o + 24, key.lo);
    LONGS.set(slots, o + 32, refHash);
    LONGS.set(slots, o + 40, terminalAt);
    LONGS.set(slots, o + 48, ((long) quantity << 32) | (saleIndex & 0xFFFFFFFFL));
    LONGS.set(slots, o + 56, ((long) version << 8) | state.ordinal());
    LONGS.setRelease(slots, o, orderId); // ordered store: the slot is whole once its id shows
    count++;
  }

  /** Changes the state of used slot {@code slot}: the state word is stored last. Writer thread. */
  void setState(long slot, OrderState state, int version, long refHash, long terminalAt) {
    int o = off(slot);
    LONGS.set(slots, o + 32, refHash);
    LONGS.set(slots, o + 40, terminalAt);
    LONGS.setRelease(slots, o + 56, ((long) version << 8) | state.ordinal());
  }

  /** Reclaims used slot {@code slot}: one store of the tombstone. Writer thread. */
  void remove(long slot) {
    LONGS.setRelease(slots, off(slot), TOMBSTONE);
    count--;
  }

  long orderId(long slot) {
    return (long) LONGS.get(slots, off(slot));
  }

  long deadline(long slot) {
    return (long) LONGS.get(slots, off(slot) + 8);
  }

  void key(long slot, UserKey out) {
    out.hi = (long) LONGS.get(slots, off(slot) + 16);
    out.lo = (long) LONGS.get(slots, off(slot) + 24);
  }

  long refHashOf(long slot) {
    return (long) LONGS.get(slots, off(slot) + 32);
  }

  long terminalAt(long slot) {
    return (long) LONGS.get(slots, off(slot) + 40);
  }

  int saleIndex(long slot) {
    return (int) (long) LONGS.get(slots, off(slot) + 48);
  }

  int quantity(long slot) {
    return (int) ((long) LONGS.get(slots, off(slot) + 48) >>> 32);
  }

  OrderState state(long slot) {
    return STATES[(int) ((long) LONGS.get(slots, off(slot) + 56) & 0xFF)];
  }

  int version(long slot) {
    return (int) ((long) LONGS.get(slots, off(slot) + 56) >>> 8);
  }

  /** Visits every used slot (open: counting, the deadline heap, the held units). */
  void forEachUsed(java.util.function.LongConsumer slotAction) {
    long used = 0;
    for (long s = 0; s < capacity; s++) {
      long id = (long) LONGS.get(slots, off(s));
      if (id != EMPTY && id != TOMBSTONE) {
        used++;
        slotAction.accept(s);
      }
    }
    count = used;
  }

  /**
   * Reclaims, among the next {@code budget} slots of the sweep, the terminal entries whose
   * deadline and terminal time are both at least {@code retentionMillis} before {@code now} and
   * whose deadline is before {@code oldestPendingDeadline} (so the deadline heap no longer
   * names them). Writer thread. Returns how many it reclaimed.
   */
  int sweep(long now, long retentionMillis, long oldestPendingDeadline, int budget) {
    int reclaimed = 0;
    for (int i = 0; i < budget; i++) {
      long s = sweep;
      if (++sweep == capacity) {
        sweep = 0;
      }
      long id = (long) LONGS.get(slots, off(s));
      if (id == EMPTY || id == TOMBSTONE || !state(s).isTerminal()) {
        continue;
      }
      long deadline = deadline(s);
      if (deadline < oldestPendingDeadline && now - Math.max(deadline, terminalAt(s)) >= retentionMillis) {
        remove(s);
        reclaimed++;
      }
    }
    return reclaimed;
  }

  /** Unmaps the file; only when no thread uses the table. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    OrderJournal.unmap(header);
    OrderJournal.unmap(slots);
  }

  @Override
  public String toString() {
    return "ReservationTable[" + file + ", " + count + " of " + maxEntries + " entries, " + capacity
        + " slots]";
  }
}
