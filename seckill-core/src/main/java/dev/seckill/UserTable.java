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
 * One shard's users table: units bought per (sale, buyer), an open-addressing hash table of
 * fixed-width slots in a memory-mapped file ({@code users.tbl}), keyed by the 128-bit
 * {@link UserKeys} hash. It replaced a Chronicle Map with {@code CharSequence} keys: the profile
 * put half of the writer's time in that map's lookup and insert (docs/benchmarks.md), and fixed
 * 16-byte keys made every entry the same size whatever the id's length.
 *
 * <h2>Layout</h2>
 * <pre>
 *  file offset 0     header page (4096 bytes), little-endian:
 *                      0 magic "SECUUSR1"   8 layout version (4)   12 unused (4)
 *                     16 capacity (slots)  24 maxUsers            32 k0   40 k1 (the hash key)
 *                     48 count of used slots at a clean close, -1 while open
 *                     56 check: a mix of the words 0..47, so a torn header is detected
 *  file offset 4096  capacity slots of 32 bytes:
 *                      0 hi (0 = empty slot)   8 lo   16 units bought (8)   24 unused (8)
 * </pre>
 * A key's home slot is {@code lo} scaled to the capacity (the high 64 bits of
 * {@code lo × capacity}, unsigned); collisions probe the next slots, wrapping. The capacity is
 * {@code maxUsers / LOAD} rounded up, so at the bound a lookup of an absent key reads about 3.6
 * slots on average (linear probing at load 0.6). Slots are never deleted.
 *
 * <h2>Threads and crashes</h2>
 * <b>Single writer</b>: {@link #find}, {@link #insert} and {@link #setUnits} run on the shard's
 * ledger thread only ({@link StockLedger} asserts it on each of its own calls), or on the thread
 * that opens or closes the ledger while no writer runs. No other thread reads the table.
 *
 * <p>An insert writes the units, then {@code lo}, then {@code hi} with a release store: {@code hi}
 * is the commit word, so a {@code kill -9} (the mapped pages survive in the page cache) leaves a
 * slot either empty or whole. A units update is one aligned 8-byte store. Everything in the table
 * is re-derivable from the order journal: recovery replays the records above the ledger's applied
 * watermark, each of which <em>sets</em> its buyer's units, so a write lost or torn by a crash is
 * redone. The count of used slots is stored only at a clean close; after a crash it is counted by
 * scanning the table (sequential, about 0.1 s per million slots here).
 *
 * <h2>Disk</h2>
 * The file is created at its full size, its blocks reserved with {@code fallocate(2)} and, unless
 * switched off, pre-faulted: one write per page at creation and one read-and-write-back per page
 * at each open, so the writer takes no page fault mid-sale.
 */
final class UserTable implements AutoCloseable {
  static final String FILE = "users.tbl";
  static final long MAGIC = 0x3152535555434553L; // "SECUUSR1" little-endian
  static final int VERSION = 1;
  static final int HEADER_BYTES = 4096;
  static final int SLOT_BYTES = 32;
  /** Users per slot at the bound. */
  static final double LOAD = 0.6;
  /** Slots per mapping: 2^25 slots, 1 GiB. */
  private static final int CHUNK_SHIFT = 25;
  /** System property (internal, for tests): log2 of the slots per mapping. */
  static final String CHUNK_SHIFT_PROPERTY = "seckill.users.chunkShift";
  private static final int PAGE = 4096;

  private static final VarHandle LONGS =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final Path file;
  private final MappedByteBuffer header;
  private final MappedByteBuffer[] chunks;
  private final int chunkShift;
  private final long chunkMask;
  private final long capacity;
  private final long maxUsers;
  private final UserKeys keys;
  private long count;
  private boolean closed;

  private UserTable(Path file, MappedByteBuffer header, MappedByteBuffer[] chunks, int chunkShift,
      long capacity, long maxUsers, UserKeys keys, long count) {
    this.file = file;
    this.header = header;
    this.chunks = chunks;
    this.chunkShift = chunkShift;
    this.chunkMask = (1L << chunkShift) - 1;
    this.capacity = capacity;
    this.maxUsers = maxUsers;
    this.keys = keys;
    this.count = count;
  }

  /** Slots a table bounded at {@code maxUsers} users has. */
  static long capacityFor(long maxUsers) {
    return (long) Math.ceil(maxUsers / LOAD);
  }

  /** The file size of a table bounded at {@code maxUsers} users. */
  static long bytesFor(long maxUsers) {
    return HEADER_BYTES + capacityFor(maxUsers) * SLOT_BYTES;
  }

  /**
   * Creates {@code file} (which must not exist) for {@code maxUsers} users with a new secret hash
   * key: full size, blocks reserved, pre-faulted if {@code prefault}. The caller removes the file
   * if this throws.
   */
  static UserTable create(Path file, long maxUsers, boolean prefault) throws IOException {
    long capacity = capacityFor(maxUsers);
    long size = bytesFor(maxUsers);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0}), size - 1); // full length, sparse so far
    }
    StockLedger.allocate(file);
    UserKeys keys = UserKeys.random();
    UserTable t = map(file, capacity, maxUsers, keys, 0);
    try {
      if (prefault) {
        t.prefault(false);
      }
      MappedByteBuffer h = t.header;
      LONGS.set(h, 8, (long) VERSION);
      LONGS.set(h, 16, capacity);
      LONGS.set(h, 24, maxUsers);
      LONGS.set(h, 32, keys.k0());
      LONGS.set(h, 40, keys.k1());
      LONGS.set(h, 48, -1L);
      LONGS.set(h, 0, MAGIC);
      LONGS.set(h, 56, check(h));
      h.force(); // a header on disk before any slot counts: a half-created table reads as absent
    } catch (RuntimeException | Error e) {
      t.close();
      throw e;
    }
    return t;
  }

  /**
   * Opens an existing table. Its count of used slots is the one stored at a clean close, or
   * counted by a scan; from now until {@link #close} the stored count reads -1 (open).
   *
   * @throws IOException if the file is not a users table of this layout (the message says why)
   */
  static UserTable open(Path file, boolean prefault) throws IOException {
    long size = Files.size(file);
    if (size < HEADER_BYTES) {
      throw new IOException(file + " is not a seckill users table: " + size + " bytes");
    }
    java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(HEADER_BYTES);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (h.hasRemaining() && ch.read(h) >= 0) {
        // read the whole header page
      }
    }
    long magic = (long) LONGS.get(h, 0);
    long version = (long) LONGS.get(h, 8);
    long capacity = (long) LONGS.get(h, 16);
    long maxUsers = (long) LONGS.get(h, 24);
    if (magic != MAGIC || (long) LONGS.get(h, 56) != check(h)) {
      throw new IOException(file + " is not a seckill users table or its header is damaged");
    }
    if (version != VERSION) {
      throw new IOException(file + " has users-table layout " + version + "; this seckill reads "
          + VERSION + ": open it with the version that wrote it");
    }
    if (capacity != capacityFor(maxUsers) || size < HEADER_BYTES + capacity * SLOT_BYTES) {
      throw new IOException(file + " is damaged: " + size + " bytes for " + capacity + " slots");
    }
    long stored = (long) LONGS.get(h, 48);
    UserKeys keys = new UserKeys((long) LONGS.get(h, 32), (long) LONGS.get(h, 40));
    UserTable t = map(file, capacity, maxUsers, keys, stored);
    try {
      if (prefault) {
        t.prefault(true);
      }
      if (stored < 0) {
        t.count = t.scanCount(); // not closed cleanly
      }
      LONGS.set(t.header, 48, -1L);
      LONGS.set(t.header, 56, check(t.header));
    } catch (RuntimeException | Error e) {
      t.close();
      throw e;
    }
    return t;
  }

  private static UserTable map(Path file, long capacity, long maxUsers, UserKeys keys, long count)
      throws IOException {
    int shift = Integer.getInteger(CHUNK_SHIFT_PROPERTY, CHUNK_SHIFT);
    if (shift < 7 || shift > CHUNK_SHIFT) {
      throw new IllegalArgumentException(CHUNK_SHIFT_PROPERTY + " must be 7 to " + CHUNK_SHIFT
          + ", was " + shift);
    }
    int n = (int) ((capacity + (1L << shift) - 1) >>> shift);
    MappedByteBuffer[] chunks = new MappedByteBuffer[n];
    MappedByteBuffer header = null;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      header = ch.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_BYTES);
      for (int i = 0; i < n; i++) {
        long first = (long) i << shift;
        long slots = Math.min(1L << shift, capacity - first);
        chunks[i] = ch.map(FileChannel.MapMode.READ_WRITE, HEADER_BYTES + first * SLOT_BYTES,
            slots * SLOT_BYTES);
      }
    } catch (IOException | RuntimeException | Error e) {
      OrderJournal.unmap(header);
      for (MappedByteBuffer m : chunks) {
        OrderJournal.unmap(m);
      }
      throw e;
    }
    return new UserTable(file, header, chunks, shift, capacity, maxUsers, keys, count);
  }

  /** The header's check word: a mix of its words 0..47. */
  private static long check(java.nio.ByteBuffer h) {
    long x = 0x9E3779B97F4A7C15L;
    for (int off = 0; off < 56; off += 8) {
      if (off == 48) {
        continue; // the count changes at open and close; not part of the check
      }
      x = Long.rotateLeft(x ^ (long) LONGS.get(h, off), 29) * 0xBF58476D1CE4E5B9L;
    }
    return x;
  }

  /**
   * Takes every page's fault now: a write per page (of the value it holds, so it is safe on a
   * table in use by nobody else), so the writer never faults mid-sale.
   */
  private void prefault(boolean existing) {
    for (MappedByteBuffer m : chunks) {
      int limit = m.capacity();
      for (int p = 0; p < limit; p += PAGE) {
        m.put(p, existing ? m.get(p) : 0);
      }
    }
  }

  private long scanCount() {
    long used = 0;
    for (MappedByteBuffer m : chunks) {
      int limit = m.capacity();
      for (int p = 0; p < limit; p += SLOT_BYTES) {
        if ((long) LONGS.get(m, p) != 0) {
          used++;
        }
      }
    }
    return used;
  }

  /** The secret key this table's entries are hashed with. */
  UserKeys keys() {
    return keys;
  }

  /** Users (slots in use). */
  long count() {
    return count;
  }

  /** The bound this table was created for. */
  long maxUsers() {
    return maxUsers;
  }

  /** Slots in the table. */
  long capacity() {
    return capacity;
  }

  /**
   * The slot holding {@code key}: its index ({@code >= 0}) if present, else {@code -1 - s} where
   * {@code s} is the empty slot an insert of {@code key} takes. Writer thread.
   */
  long find(UserKey key) {
    long hi = key.hi;
    long lo = key.lo;
    long cap = capacity;
    long s = Math.multiplyHigh(lo, cap) + ((lo >> 63) & cap); // unsigned high half of lo × cap
    while (true) {
      MappedByteBuffer m = chunks[(int) (s >>> chunkShift)];
      int off = (int) (s & chunkMask) * SLOT_BYTES;
      long h = (long) LONGS.get(m, off);
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
  }

  /** Units bought recorded in used slot {@code slot}. Writer thread. */
  long units(long slot) {
    return (long) LONGS.get(chunks[(int) (slot >>> chunkShift)],
        (int) (slot & chunkMask) * SLOT_BYTES + 16);
  }

  /** Sets the units of used slot {@code slot}: one 8-byte store. Writer thread. */
  void setUnits(long slot, long units) {
    LONGS.set(chunks[(int) (slot >>> chunkShift)], (int) (slot & chunkMask) * SLOT_BYTES + 16,
        units);
  }

  /**
   * Fills empty slot {@code slot} (as {@link #find} returned it, negated) with {@code key} and
   * {@code units}; {@code hi} is stored last (release), the slot's commit word. The caller checks
   * the bound ({@link #count} below {@link #maxUsers}) first. Writer thread.
   */
  void insert(long slot, UserKey key, long units) {
    MappedByteBuffer m = chunks[(int) (slot >>> chunkShift)];
    int off = (int) (slot & chunkMask) * SLOT_BYTES;
    LONGS.set(m, off + 16, units);
    LONGS.set(m, off + 8, key.lo);
    LONGS.setRelease(m, off, key.hi); // ordered store: the slot is whole once hi is visible
    count++;
  }

  /** Forces the table to disk (used after a migration). */
  void force() {
    for (MappedByteBuffer m : chunks) {
      m.force();
    }
    header.force();
  }

  /** Stores the count (a clean close) and unmaps the file; only when no thread uses the table. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LONGS.set(header, 48, count);
    OrderJournal.unmap(header);
    for (MappedByteBuffer m : chunks) {
      OrderJournal.unmap(m);
    }
  }

  /** Unmaps without storing the count, as a crash would leave the file (test seam). */
  void abandon() {
    closed = true;
    OrderJournal.unmap(header);
    for (MappedByteBuffer m : chunks) {
      OrderJournal.unmap(m);
    }
  }

  @Override
  public String toString() {
    return "UserTable[" + file + ", " + count + " of " + maxUsers + " users, " + capacity
        + " slots]";
  }
}
