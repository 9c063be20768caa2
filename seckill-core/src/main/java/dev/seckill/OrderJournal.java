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
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * One shard's append-only journal of confirmed orders: the ledger's record of truth, and the
 * outbox the flusher drains (through {@link OrderJournalReader}).
 *
 * <h2>Files</h2>
 * A fixed ring of {@code N} segment files {@code journal/segment-<slot>.jnl}, each of the same
 * size, created together on the shard's first open, their blocks reserved with
 * {@code fallocate(2)} ({@link StockLedger#allocate}) and, by default, pre-faulted (one write per
 * page, see {@link #PREFAULT_PROPERTY}), then memory-mapped for the life of the ledger. Segment
 * number {@code k} (0, 1, 2, ... for ever) lives in slot {@code k mod N}. A segment starts with
 * a 64-byte header (magic, segment number, first sequence, a check hash of those two) and holds
 * records from byte 64 on:
 *
 * <pre>
 *  offset  0 len (4, payload bytes)    4 crc32c of the payload (4)
 *          8 seq (8)                  16 orderId (8)            24 confirmedAtMillis (8)
 *         32 stockAfter (8)           40 saleOrdersAfter (8)    48 saleIndex (4)
 *         52 quantity (4)             56 userUnitsAfter (4)     60 idLen (2, unsigned)
 *         62 userId (idLen bytes of UTF-8)                      then padding to a multiple of 8
 * </pre>
 *
 * The {@code idLen} field keeps the id's byte length in its low 12 bits; bits 12-14 are the
 * record type, bit 15 says a 16-byte request key ends the payload (orders only: types 0 and 1;
 * the key is the payload's last 16 bytes, after the 8-aligned user id or after the trailer,
 * {@link PurchaseRequest#withRequestId}). Type 0
 * (the only one before reservations; {@code len == 54 + idLen} exactly) is a final order. Types
 * 1 (a reservation order), 2 (PAID), 3 (CANCELLED) and 4 (EXPIRED) carry a trailer of
 * {@value #RESERVATION_TRAILER} bytes starting at the record's first 8-aligned offset after the
 * user id (state changes have no user id, {@code idLen} 0):
 *
 * <pre>
 *  +0 deadline ms (8)   +8 heldAfter (8)   +16 paidAfter (8)   +24 payment-ref hash (8)
 * +32 version &lt;&lt; 8 | state (8)   +40 buyer key hi (8)   +48 buyer key lo (8)
 * </pre>
 *
 * In a state-change record {@code stockAfter}, {@code saleOrdersAfter} and
 * {@code userUnitsAfter} are the values after the change, and {@code confirmedAtMillis} is when
 * the change was decided. A reader meeting a type above 4 treats the record as the journal's end.
 *
 * All little-endian. The writer writes the payload first and the {@code len|crc} word last, in
 * one aligned 8-byte store: that store is the commit point of the record.
 *
 * <h2>Reading and the torn tail</h2>
 * A record at a position is valid only if its length is in range and fits the segment, its CRC32C
 * matches and its {@code seq} is the one expected there (one more than the previous record, or
 * the segment header's first sequence). The first invalid record ends the segment; the journal
 * goes on in the next segment only if that segment's header is valid and names the expected
 * sequence; otherwise the journal ends there. So whatever a {@code kill -9} leaves at the tail (a
 * partly written record, zeros, the bytes of a recycled segment's older records, a half-written
 * header) reads as "end of journal", never as an order.
 *
 * <h2>Threads, sequence and recycling</h2>
 * <b>Single writer</b> ({@link #append}, {@link #undoLast}; asserted like {@link StockLedger}):
 * sequence numbers are consecutive; the sequence is the position in the journal. The flusher reads
 * through {@link OrderJournalReader} up to the sequence the ledger published and, once the sink
 * stored a range, advances the flushed watermark ({@link #publishFlushed}). When the writer needs
 * a new segment, it reuses the slot of segment {@code k - N}, allowed only if every record of that
 * segment is at or below the flushed watermark: no per-entry delete, and the mapped, already
 * faulted pages are written again. If that segment still holds unflushed orders the journal is
 * full and {@link #append} answers false (the ledger answers {@link dev.seckill.Rejection#OVERLOADED}).
 */
final class OrderJournal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrderJournal.class);

  static final String DIRECTORY = "journal";
  /** System property: "false" skips pre-faulting the segments when they are created. */
  static final String PREFAULT_PROPERTY = "seckill.journal.prefault";
  /** System property: segment size in bytes (internal, for tests and tuning). */
  static final String SEGMENT_SIZE_PROPERTY = "seckill.journal.segmentBytes";

  static final long MAGIC = 0x314E524A4B434553L; // "SECKJRN1" little-endian
  static final int HEADER_BYTES = 64;
  /** Payload bytes besides the user id. */
  static final int FIXED_PAYLOAD = 8 + 8 + 8 + 8 + 8 + 4 + 4 + 4 + 2;
  /** The longest user id in UTF-8: {@link PurchaseRequest#MAX_USER_ID_LENGTH} chars, 3 bytes each. */
  static final int MAX_ID_BYTES = PurchaseRequest.MAX_USER_ID_LENGTH * 3;
  /** Bytes of the trailer of record types 1 to 4. */
  static final int RESERVATION_TRAILER = 56;
  /** The highest record type this version reads. */
  static final int MAX_TYPE = 4;
  /** Room after the id for padding, a trailer and a 16-byte request key. */
  static final int MAX_PAYLOAD = FIXED_PAYLOAD + MAX_ID_BYTES + 8 + RESERVATION_TRAILER + 16;
  static final int MAX_RECORD = align(8 + MAX_PAYLOAD);
  /** Bytes the request key adds at the end of a payload (after padding or the trailer). */
  static final int REQUEST_KEY_BYTES = 16;
  /** {@code idLen}'s flag: the payload ends with a request key. */
  static final int REQUEST_KEY_FLAG = 0x8000;
  /** {@code idLen}'s bits 12-14: the record type. */
  static final int TYPE_MASK = 0x7000;
  static final int ID_LEN_MASK = 0x0FFF;
  /** The record size the journal is sized for: a 40-byte user id (as the users map). */
  static final int AVERAGE_RECORD = align(8 + FIXED_PAYLOAD + 40);
  static final long MAX_SEGMENT = 64L << 20;
  static final long MIN_SEGMENT = 64L << 10;
  static final int MIN_SEGMENTS = 4;
  private static final int PAGE = 4096;

  private final Path dir;
  private final int slots;
  private final int segmentBytes;
  private final MappedByteBuffer[] maps;
  /** Writer-owned views of the segments (independent positions). */
  private final ByteBuffer[] wbufs;
  /** Segment number held by each slot, -1 if never used. Writer-owned. */
  private final long[] slotSegment;
  /** First sequence of the segment in each slot. Writer-owned. */
  private final long[] slotFirstSeq;
  private final CRC32C wcrc = new CRC32C();

  // Writer state.
  private long segment; // current segment number
  private int offset; // next write position in it
  private long nextSeq;
  private int lastRecordOffset = -1;
  private long lastRecordSegment = -1;
  private long lastSegmentBefore = -1;
  private int lastOffsetBefore = -1;
  private volatile @Nullable Thread writer;

  /** The flushed watermark, written by the flusher (reader), read by the writer. */
  private volatile long flushedSeq;

  private volatile boolean closed;

  private OrderJournal(Path dir, MappedByteBuffer[] maps, int segmentBytes) {
    this.dir = dir;
    this.maps = maps;
    this.slots = maps.length;
    this.segmentBytes = segmentBytes;
    this.wbufs = new ByteBuffer[slots];
    this.slotSegment = new long[slots];
    this.slotFirstSeq = new long[slots];
    for (int i = 0; i < slots; i++) {
      wbufs[i] = view(i);
    }
  }

  static int align(int n) {
    return (n + 7) & ~7;
  }

  /** A buffer over slot {@code slot}'s mapping with its own position, little-endian. */
  ByteBuffer view(int slot) {
    return maps[slot].duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  int slots() {
    return slots;
  }

  int segmentBytes() {
    return segmentBytes;
  }

  Path directory() {
    return dir;
  }

  /** The segment size used for a journal sized for {@code capacity} unflushed orders. */
  static int segmentBytesFor(long capacity) {
    String forced = System.getProperty(SEGMENT_SIZE_PROPERTY);
    if (forced != null) {
      return align((int) Math.max(HEADER_BYTES + MAX_RECORD, Long.parseLong(forced)));
    }
    long total = Math.max(1, capacity) * AVERAGE_RECORD;
    long seg = Math.min(MAX_SEGMENT, Math.max(MIN_SEGMENT, total / MIN_SEGMENTS));
    return (int) ((seg + PAGE - 1) / PAGE * PAGE);
  }

  /**
   * Segments for {@code capacity} unflushed orders of {@link #AVERAGE_RECORD} bytes: enough for
   * them plus the partly flushed segment and the partly filled one.
   */
  static int slotsFor(long capacity, int segmentBytes) {
    long perSegment = ((long) segmentBytes - HEADER_BYTES) / AVERAGE_RECORD;
    long needed = (Math.max(1, capacity) + perSegment - 1) / perSegment + 1;
    return (int) Math.max(2, Math.min(Integer.MAX_VALUE, needed));
  }

  /** Bytes the journal of a shard with {@code capacity} takes on disk when created. */
  static long bytesToCreate(long capacity) {
    int seg = segmentBytesFor(capacity);
    return (long) seg * slotsFor(capacity, seg);
  }

  static Path segmentFile(Path journalDir, int slot) {
    return journalDir.resolve("segment-" + slot + ".jnl");
  }

  /**
   * Creates the journal's segment files in {@code journalDir} (which must not exist yet),
   * allocated and pre-faulted; on failure removes what it created.
   */
  static OrderJournal create(Path journalDir, long capacity) throws IOException {
    return create(journalDir, capacity, true);
  }

  /**
   * {@link #create(Path, long)}, pre-faulted only if {@code prefault} and the system property
   * {@value #PREFAULT_PROPERTY} is not "false".
   */
  static OrderJournal create(Path journalDir, long capacity, boolean prefault) throws IOException {
    int seg = segmentBytesFor(capacity);
    return create(journalDir, seg, slotsFor(capacity, seg),
        prefault && !"false".equals(System.getProperty(PREFAULT_PROPERTY)));
  }

  /** Creates a journal of {@code n} segments of {@code seg} bytes (tests choose small ones). */
  static OrderJournal create(Path journalDir, int seg, int n, boolean prefault) throws IOException {
    if (n < 2 || seg < HEADER_BYTES + MAX_RECORD || seg % 8 != 0) {
      throw new IllegalArgumentException("a journal needs at least 2 segments of at least "
          + (HEADER_BYTES + MAX_RECORD) + " bytes (a multiple of 8); asked for " + n + " of " + seg);
    }
    Files.createDirectories(journalDir);
    long started = System.nanoTime();
    MappedByteBuffer[] maps = new MappedByteBuffer[n];
    try {
      for (int i = 0; i < n; i++) {
        Path f = segmentFile(journalDir, i);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          ch.truncate(seg);
          ch.write(ByteBuffer.wrap(new byte[] {0}), seg - 1); // full length (sparse until allocated)
        }
        StockLedger.allocate(f);
        maps[i] = map(f, seg);
        if (prefault) {
          for (int p = 0; p < seg; p += PAGE) {
            maps[i].put(p, (byte) 0); // a fresh file is zeros: take the page fault now, not mid-sale
          }
        }
      }
      Fsync.directory(journalDir);
    } catch (IOException | RuntimeException | Error e) {
      for (MappedByteBuffer m : maps) {
        unmap(m);
      }
      deleteAll(journalDir, e);
      throw e;
    }
    log.info("seckill journal created in {}: {} segments of {} bytes ({} MiB), prefault={}, in {} ms",
        journalDir, n, seg, ((long) n * seg) >> 20, prefault, (System.nanoTime() - started) / 1_000_000);
    OrderJournal j = new OrderJournal(journalDir, maps, seg);
    java.util.Arrays.fill(j.slotSegment, -1);
    return j;
  }

  /**
   * Deletes a journal directory and its segment files; failures are added to {@code e}, or
   * dropped if it is null (nothing is failing yet).
   */
  static void deleteAll(Path journalDir, @Nullable Throwable e) {
    try {
      if (Files.isDirectory(journalDir)) {
        try (var files = Files.list(journalDir)) {
          for (Path f : files.toList()) {
            Files.deleteIfExists(f);
          }
        }
        Files.deleteIfExists(journalDir);
      }
    } catch (IOException | RuntimeException suppressed) {
      if (e != null) {
        e.addSuppressed(suppressed);
      }
    }
  }

  /** Maps the segment files of an existing journal. */
  static OrderJournal openExisting(Path journalDir) throws IOException {
    List<MappedByteBuffer> maps = new ArrayList<>();
    long seg = -1;
    for (int i = 0; ; i++) {
      Path f = segmentFile(journalDir, i);
      if (!Files.exists(f)) {
        break;
      }
      long size = Files.size(f);
      if (seg < 0) {
        seg = size;
      } else if (size != seg) {
        throw new IllegalStateException("journal segment " + f + " has " + size + " bytes but "
            + segmentFile(journalDir, 0) + " has " + seg + "; the journal in " + journalDir
            + " is damaged");
      }
      maps.add(map(f, (int) size));
    }
    if (maps.size() < 2) {
      throw new IllegalStateException("the journal in " + journalDir + " has " + maps.size()
          + " segment files, expected at least 2; it is damaged");
    }
    return new OrderJournal(journalDir, maps.toArray(new MappedByteBuffer[0]), (int) seg);
  }

  private static MappedByteBuffer map(Path f, int size) throws IOException {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
    }
  }

  // ---- Reading (any single thread at a time; positions are in the caller's views).

  /** The header of slot {@code slot}: valid segment number, or -1. */
  static long headerSegment(ByteBuffer b) {
    if (b.getLong(0) != MAGIC) {
      return -1;
    }
    long seg = b.getLong(8);
    long first = b.getLong(16);
    return b.getInt(24) == headerCrc(seg, first) ? seg : -1;
  }

  static long headerFirstSeq(ByteBuffer b) {
    return b.getLong(16);
  }

  /** A check value of a header's two numbers (a torn header write fails it). Allocation-free. */
  static int headerCrc(long seg, long first) {
    long h = seg * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(first * 0xC2B2AE3D27D4EB4FL, 31);
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    return (int) (h ^ h >>> 32) | 1; // never 0: a zeroed header never checks
  }

  /**
   * The size of the valid record at {@code off} in {@code b} whose sequence must be
   * {@code expectedSeq}, or 0 if there is none (end of this segment's records).
   */
  static int validRecord(ByteBuffer b, int off, long expectedSeq, CRC32C crc) {
    int size = b.capacity();
    if (off + 8 + FIXED_PAYLOAD > size) {
      return 0;
    }
    long word = b.getLong(off);
    int len = (int) word;
    if (len < FIXED_PAYLOAD || len > MAX_PAYLOAD || off + 8 + len > size) {
      return 0;
    }
    if (b.getLong(off + 8) != expectedSeq) {
      return 0;
    }
    int idField = b.getShort(off + 8 + FIXED_PAYLOAD - 2) & 0xFFFF;
    int type = (idField & TYPE_MASK) >>> 12;
    if (type > MAX_TYPE || ((idField & REQUEST_KEY_FLAG) != 0 && type > 1)
        || len != payloadLength(idField)) {
      return 0; // an unknown type (a later version's), a key on a state change, or torn: the end
    }
    crc.reset();
    b.limit(off + 8 + len).position(off + 8);
    crc.update(b);
    b.clear();
    if ((int) crc.getValue() != (int) (word >>> 32)) {
      return 0;
    }
    return align(8 + len);
  }

  /** Payload bytes before any request key: the id (padded, if a trailer follows) and trailer. */
  static int payloadBefore(int type, int idLen) {
    if (type == 0) {
      return FIXED_PAYLOAD + idLen;
    }
    return trailerOffset(idLen) - 8 + RESERVATION_TRAILER;
  }

  /** Where a type 1-4 record's trailer starts, relative to the record (8-aligned after the id). */
  static int trailerOffset(int idLen) {
    return align(8 + FIXED_PAYLOAD + idLen);
  }

  /** Reads the record at {@code off} (valid, see {@link #validRecord}) into {@code r}. */
  static void read(ByteBuffer b, int off, OrderRecord r) {
    int p = off + 16; // after len|crc and seq
    r.orderId = b.getLong(p);
    r.confirmedAtMillis = b.getLong(p + 8);
    r.stockAfter = b.getLong(p + 16);
    r.saleOrdersAfter = b.getLong(p + 24);
    r.saleIndex = b.getInt(p + 32);
    r.quantity = b.getInt(p + 36);
    r.userUnitsAfter = b.getInt(p + 40);
    int idField = b.getShort(p + 44) & 0xFFFF;
    int idLen = idField & 0xFFF;
    r.type = (idField >>> 12) & 7;
    decodeUtf8(b, p + 46, idLen, r.userId);
    if (r.type != 0) {
      int t = off + trailerOffset(idLen);
      r.deadlineMillis = b.getLong(t);
      r.heldAfter = b.getLong(t + 8);
      r.paidAfter = b.getLong(t + 16);
      r.refHash = b.getLong(t + 24);
      long sv = b.getLong(t + 32);
      r.state = (int) (sv & 0xFF);
      r.version = (int) (sv >>> 8);
      r.userHi = b.getLong(t + 40);
      r.userLo = b.getLong(t + 48);
    }
    r.hasRequestKey = (idField & REQUEST_KEY_FLAG) != 0;
    if (r.hasRequestKey) {
      int key = off + 8 + b.getInt(off) - REQUEST_KEY_BYTES; // the payload's last 16 bytes
      r.requestHi = b.getLong(key);
      r.requestLo = b.getLong(key + 8);
    } else {
      r.requestHi = 0;
      r.requestLo = 0;
    }
  }

  /**
   * The payload length a record with this {@code idLen} field must have: its type's
   * ({@link #payloadBefore}), plus {@value #REQUEST_KEY_BYTES} for a request key, which a type 0
   * record places after its user id padded to a multiple of 8.
   */
  static int payloadLength(int field) {
    int idBytes = field & ID_LEN_MASK;
    int type = (field & TYPE_MASK) >>> 12;
    if ((field & REQUEST_KEY_FLAG) == 0) {
      return payloadBefore(type, idBytes);
    }
    int before = type == 0 ? trailerOffset(idBytes) - 8 : payloadBefore(type, idBytes);
    return before + REQUEST_KEY_BYTES;
  }

  private static void decodeUtf8(ByteBuffer b, int p, int n, StringBuilder out) {
    out.setLength(0);
    int end = p + n;
    while (p < end) {
      int c = b.get(p++) & 0xFF;
      if (c < 0x80) {
        out.append((char) c);
      } else if (c < 0xE0) {
        out.append((char) (((c & 0x1F) << 6) | (b.get(p++) & 0x3F)));
      } else if (c < 0xF0) {
        out.append((char) (((c & 0x0F) << 12) | ((b.get(p++) & 0x3F) << 6) | (b.get(p++) & 0x3F)));
      } else {
        int cp = ((c & 0x07) << 18) | ((b.get(p++) & 0x3F) << 12) | ((b.get(p++) & 0x3F) << 6)
            | (b.get(p++) & 0x3F);
        out.appendCodePoint(cp);
      }
    }
  }

  /** A position in the journal: the next record to read and the sequence it must carry. */
  static final class Cursor {
    long segment;
    int offset;
    long seq;
    /** Where the record {@link #next} read last starts. */
    long recordSegment = -1;
    int recordOffset;

    void set(Cursor o) {
      segment = o.segment;
      offset = o.offset;
      seq = o.seq;
      recordSegment = o.recordSegment;
      recordOffset = o.recordOffset;
    }
  }

  /**
   * Finds where sequence {@code seq} is (or would be written): scans the segments' headers for
   * the one holding it and walks its records. Returns false if the journal holds no segment
   * covering {@code seq}.
   */
  boolean seek(long seq, Cursor c, ByteBuffer[] views, CRC32C crc) {
    long best = -1;
    int bestSlot = -1;
    long bestFirst = 0;
    for (int i = 0; i < slots; i++) {
      long s = headerSegment(views[i]);
      if (s >= 0 && s % slots == i) {
        long first = headerFirstSeq(views[i]);
        if (first <= seq && s > best) {
          best = s;
          bestSlot = i;
          bestFirst = first;
        }
      }
    }
    if (best < 0) {
      return false;
    }
    c.segment = best;
    c.offset = HEADER_BYTES;
    c.seq = bestFirst;
    ByteBuffer b = views[bestSlot];
    while (c.seq < seq) {
      int n = validRecord(b, c.offset, c.seq, crc);
      if (n == 0) {
        return false; // the journal ends before seq
      }
      c.offset += n;
      c.seq++;
    }
    return true;
  }

  /**
   * Moves {@code c} past the record it points at if that record is valid, reading it into
   * {@code r} (if not null), following into the next segment when this one ends. False at the end
   * of the journal.
   */
  boolean next(Cursor c, ByteBuffer[] views, CRC32C crc, @Nullable OrderRecord r) {
    ByteBuffer b = views[(int) (c.segment % slots)];
    int n = validRecord(b, c.offset, c.seq, crc);
    if (n == 0) {
      ByteBuffer nb = views[(int) ((c.segment + 1) % slots)];
      if (headerSegment(nb) != c.segment + 1 || headerFirstSeq(nb) != c.seq) {
        return false;
      }
      n = validRecord(nb, HEADER_BYTES, c.seq, crc);
      if (n == 0) {
        return false;
      }
      c.segment++;
      c.offset = HEADER_BYTES;
      b = nb;
    }
    if (r != null) {
      read(b, c.offset, r);
    }
    c.recordSegment = c.segment;
    c.recordOffset = c.offset;
    c.offset += n;
    c.seq++;
    return true;
  }

  // ---- Writer side.

  /**
   * Positions the writer after the last valid record at or after {@code fromSeq}, following the
   * journal to its end (torn tail excluded); if the journal holds nothing at {@code fromSeq},
   * the next append starts a new segment at {@code fromSeq}. Returns the sequence of the last
   * valid record (fromSeq - 1 if none). Call once, at open, before the writer starts.
   */
  long recoverTail(long fromSeq) {
    CRC32C crc = new CRC32C();
    for (int i = 0; i < slots; i++) {
      long s = headerSegment(wbufs[i]);
      boolean valid = s >= 0 && s % slots == i;
      slotSegment[i] = valid ? s : -1;
      slotFirstSeq[i] = valid ? headerFirstSeq(wbufs[i]) : 0;
    }
    Cursor c = new Cursor();
    if (!seek(fromSeq, c, wbufs, crc)) {
      // Nothing at fromSeq: start afresh after the newest segment.
      long newest = -1;
      for (long s : slotSegment) {
        newest = Math.max(newest, s);
      }
      segment = newest; // the next append rolls into newest + 1
      offset = segmentBytes; // full: forces a roll
      nextSeq = fromSeq;
      return fromSeq - 1;
    }
    while (next(c, wbufs, crc, null)) {
      // walk to the end
    }
    segment = c.segment;
    offset = c.offset;
    nextSeq = c.seq;
    // Anything a later segment still holds (a torn roll) is beyond the end: forget it, so the
    // writer does not count on it.
    for (int i = 0; i < slots; i++) {
      if (slotSegment[i] > segment) {
        slotSegment[i] = -1;
        wbufs[i].putLong(0, 0L);
      }
    }
    return nextSeq - 1;
  }

  /**
   * Recovery only, before the writer starts: drops the journal's last record, which {@code c}
   * just read (its buyer does not fit, so it was never confirmed): zeroes its commit word and
   * moves the writer back to it.
   */
  void discardLast(Cursor c) {
    wbufs[(int) (c.recordSegment % slots)].putLong(c.recordOffset, 0L);
    segment = c.recordSegment;
    offset = c.recordOffset;
    nextSeq = c.seq - 1;
  }

  /** The sequence the next {@link #append} must carry. */
  long nextSeq() {
    return nextSeq;
  }

  void bindWriter() {
    writer = Thread.currentThread();
  }

  void releaseWriter() {
    writer = null;
  }

  private boolean onWriterThread() {
    Thread w = writer;
    return w == null || w == Thread.currentThread();
  }

  /**
   * Appends {@code r} as sequence {@link #nextSeq()}. False, with nothing written, if the journal
   * has no room: the next segment's slot still holds unflushed orders. Writer thread only;
   * allocation-free.
   */
  boolean append(OrderRecord r) {
    assert onWriterThread() : "journal append called off the ledger writer thread";
    CharSequence id = r.userId;
    int idBytes = utf8Length(id);
    if (idBytes > MAX_ID_BYTES) {
      throw new IllegalArgumentException("userId of " + idBytes + " UTF-8 bytes, over " + MAX_ID_BYTES);
    }
    int type = r.type;
    boolean key = r.hasRequestKey && type <= 1; // only orders carry a request key
    int field = idBytes | (type << 12) | (key ? REQUEST_KEY_FLAG : 0);
    int len = payloadLength(field);
    int size = align(8 + len);
    long segBefore = segment;
    int offBefore = offset;
    if (offset + size > segmentBytes) {
      if (!roll()) {
        return false;
      }
    }
    ByteBuffer b = wbufs[(int) (segment % slots)];
    int off = offset;
    int p = off + 8;
    b.putLong(p, nextSeq);
    b.putLong(p + 8, r.orderId);
    b.putLong(p + 16, r.confirmedAtMillis);
    b.putLong(p + 24, r.stockAfter);
    b.putLong(p + 32, r.saleOrdersAfter);
    b.putInt(p + 40, r.saleIndex);
    b.putInt(p + 44, r.quantity);
    b.putInt(p + 48, r.userUnitsAfter);
    b.putShort(p + 52, (short) field);
    encodeUtf8(id, b, p + 54);
    int end = p + 54 + idBytes; // zero the padding, so the CRC covers known bytes
    if (type != 0) {
      int t = off + trailerOffset(idBytes);
      for (int z = end; z < t; z++) {
        b.put(z, (byte) 0);
      }
      b.putLong(t, r.deadlineMillis);
      b.putLong(t + 8, r.heldAfter);
      b.putLong(t + 16, r.paidAfter);
      b.putLong(t + 24, r.refHash);
      b.putLong(t + 32, ((long) r.version << 8) | (r.state & 0xFF));
      b.putLong(t + 40, r.userHi);
      b.putLong(t + 48, r.userLo);
      end = t + RESERVATION_TRAILER;
    }
    if (key) {
      int k = p + len - REQUEST_KEY_BYTES; // 8-aligned: after the id's padding or the trailer
      for (int z = end; z < k; z++) {
        b.put(z, (byte) 0);
      }
      b.putLong(k, r.requestHi);
      b.putLong(k + 8, r.requestLo);
    }
    wcrc.reset();
    b.limit(p + len).position(p);
    wcrc.update(b);
    b.clear();
    b.putLong(off, (wcrc.getValue() << 32) | (len & 0xFFFFFFFFL)); // the commit point
    lastSegmentBefore = segBefore;
    lastOffsetBefore = offBefore;
    lastRecordSegment = segment;
    lastRecordOffset = off;
    offset = off + size;
    nextSeq++;
    return true;
  }

  /** Starts the next segment in its slot, if that slot's old segment is wholly flushed. */
  private boolean roll() {
    long next = segment + 1;
    int slot = (int) (next % slots);
    long old = slotSegment[slot];
    if (old >= 0) {
      // old's last sequence is one before the first of the segment after it
      int after = (int) ((old + 1) % slots);
      long lastOfOld = slotSegment[after] == old + 1 ? slotFirstSeq[after] - 1 : nextSeq - 1;
      if (lastOfOld > flushedSeq) {
        return false;
      }
    }
    ByteBuffer b = wbufs[slot];
    b.putLong(HEADER_BYTES, 0L); // no record at the start until one is written
    b.putLong(8, next);
    b.putLong(16, nextSeq);
    b.putInt(24, headerCrc(next, nextSeq));
    b.putLong(0, MAGIC);
    slotSegment[slot] = next;
    slotFirstSeq[slot] = nextSeq;
    segment = next;
    offset = HEADER_BYTES;
    return true;
  }

  /**
   * Takes back the record the last {@link #append} wrote (its buyer's write failed): its commit
   * word is zeroed, so it reads as the end of the journal, and the next append takes its place.
   */
  void undoLast() {
    assert onWriterThread() : "journal undo called off the ledger writer thread";
    if (lastRecordOffset < 0) {
      return;
    }
    wbufs[(int) (lastRecordSegment % slots)].putLong(lastRecordOffset, 0L);
    if (lastRecordSegment == lastSegmentBefore) {
      offset = lastOffsetBefore;
    } else {
      // A new segment was started for it: stay there, empty (its header names this sequence).
      offset = HEADER_BYTES;
    }
    nextSeq--;
    lastRecordOffset = -1;
  }

  /**
   * The sequence of the last valid record reading from {@code fromSeq} on ({@code fromSeq - 1}
   * if there is none there). With its own views: for tests and tools, while nothing appends.
   */
  long lastValidSeq(long fromSeq) {
    requireOpen();
    ByteBuffer[] views = new ByteBuffer[slots];
    for (int i = 0; i < slots; i++) {
      views[i] = view(i);
    }
    CRC32C crc = new CRC32C();
    Cursor c = new Cursor();
    if (!seek(fromSeq, c, views, crc)) {
      return fromSeq - 1;
    }
    while (next(c, views, crc, null)) {
      // to the end
    }
    return c.seq - 1;
  }

  /** Test seam: where the record the last {@link #append} wrote starts (segment, offset). */
  long lastRecordSegment() {
    return lastRecordSegment;
  }

  int lastRecordOffset() {
    return lastRecordOffset;
  }

  /** Test seam: the position of the writer (segment number, offset). */
  long writerSegment() {
    return segment;
  }

  int writerOffset() {
    return offset;
  }

  /** The flushed watermark as last published by the flusher. Any thread. */
  long flushedSeq() {
    return flushedSeq;
  }

  /** Publishes the flushed watermark (after it is persisted). Flusher thread, or at open. */
  void publishFlushed(long seq) {
    flushedSeq = seq;
  }

  static int utf8Length(CharSequence s) {
    int n = 0;
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static void encodeUtf8(CharSequence s, ByteBuffer b, int p) {
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        b.put(p++, (byte) c);
      } else if (c < 0x800) {
        b.put(p++, (byte) (0xC0 | (c >> 6)));
        b.put(p++, (byte) (0x80 | (c & 0x3F)));
      } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        b.put(p++, (byte) (0xF0 | (cp >> 18)));
        b.put(p++, (byte) (0x80 | ((cp >> 12) & 0x3F)));
        b.put(p++, (byte) (0x80 | ((cp >> 6) & 0x3F)));
        b.put(p++, (byte) (0x80 | (cp & 0x3F)));
      } else {
        b.put(p++, (byte) (0xE0 | (c >> 12)));
        b.put(p++, (byte) (0x80 | ((c >> 6) & 0x3F)));
        b.put(p++, (byte) (0x80 | (c & 0x3F)));
      }
    }
  }

  /** Forces the segments to disk (used after a migration). */
  void force() {
    for (MappedByteBuffer m : maps) {
      m.force();
    }
  }

  /** Throws unless the journal is open (its segments are mapped). */
  void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the journal in " + dir + " is closed");
    }
  }

  /** Unmaps the segments. Only once no thread uses the journal any more. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (MappedByteBuffer m : maps) {
      unmap(m);
    }
  }

  static void unmap(@Nullable MappedByteBuffer m) {
    if (m == null) {
      return;
    }
    try {
      Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
      f.setAccessible(true);
      Object unsafe = f.get(null);
      unsafe.getClass().getMethod("invokeCleaner", ByteBuffer.class).invoke(unsafe, m);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // left to the garbage collector
    }
  }
}
