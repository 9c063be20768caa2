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

import dev.seckill.Rejection;
import dev.seckill.Sale;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's stock ledger: remaining stock per sale, units bought per (sale, user), the order-id
 * sequence and the journal of confirmed orders. The sale counters are kept off-heap in a
 * persisted Chronicle Map ({@code counters.cm3}); the units per (sale, buyer) in a memory-mapped
 * {@link UserTable} of fixed-width slots keyed by a 128-bit keyed hash ({@code users.tbl}); the
 * orders in an append-only, memory-mapped {@link OrderJournal} ({@code journal/}), which is also
 * the outbox the flusher drains ({@link OrderJournalReader}).
 *
 * <h2>Concurrency</h2>
 * <b>Single writer.</b> Every mutation ({@link #register}, {@link #decide}, and in cluster mode
 * the local lease's changes, {@link #leaseOp}, and the sink's voids, {@link #applyVoids}) runs on
 * the shard's
 * ledger thread, the Disruptor consumer that owns this instance; {@link #bindWriter} records that
 * thread (for the journal too) and an {@code assert} checks it on each call, in the manner of the
 * Disruptor's {@code SingleProducerSequencer}. Because only one thread decides, a decision needs
 * no lock and no compare-and-set: check, then write, cannot race. The users table and the journal
 * take no lock at all; Chronicle Map takes its own per-segment lock inside each counters
 * {@code put}, once per batch, contended only by the flusher's one write of the flushed watermark
 * per stored batch. Caller threads compute a purchase's {@link UserKey} with the immutable
 * {@link #userKeys()} before they publish it; the writer only looks it up.
 *
 * <p><b>What other threads may read.</b> Caller threads read a sale's sold-out flag and the
 * published counters of {@link SaleState}; those are volatile or release/acquire and are written
 * only here. The Disruptor's sequence barrier gives happens-before from the writer's decision to
 * the responder thread that completes the caller's future. The flusher owns the journal's
 * reading side: it reads records up to {@link #publishedSeq} (a release store after the
 * watermark write, so the records are visible) and publishes the flushed watermark back.
 *
 * <h2>Crash consistency</h2>
 * No file here has a transaction across writes, so a {@code kill -9} can land between any two
 * writes. A confirmation therefore writes, in this order:
 * <ol>
 *   <li>the {@link OrderRecord} appended to the journal (sequence {@code seq}): the record of
 *       truth, carrying the values <em>after</em> the order (remaining stock, sale order count,
 *       user units); its length-and-CRC word is stored last, so a record cut short by a kill
 *       reads as the journal's end;
 *   <li>the user's units bought (a set, not an add; a new buyer's slot is whole or empty, see
 *       {@link UserTable});
 * </ol>
 * and, once per Disruptor batch ({@link #checkpoint}), for the batch as a whole:
 * <ol start="3">
 *   <li>each touched sale's remaining stock and order count (sets);
 *   <li>the applied watermark, last; only then is it published to the flusher.
 * </ol>
 * Recovery reads the watermark and replays the journal's records {@code watermark + 1, +2, ...}
 * up to its end: the first record that is absent, torn (bad length or CRC) or out of sequence.
 * Replay only sets values, so it is idempotent, and any prefix of the writes above recovers to
 * either "order absent" (step 1 missing or torn: nothing else was written, the caller was never
 * told) or "order applied". The sequence resumes after the highest applied record, so an order
 * id is never reused. The journal reuses a segment only once every record in it is at or below
 * the flushed watermark, which is at or below the applied one, so the records recovery needs are
 * always there.
 *
 * <p><b>A failed write</b> (a mapped page the disk could not back, {@code InternalError}; the
 * files are allocated at creation so this should not happen) is undone, the journal record taken
 * back if the user's write failed after it, and answered {@link Rejection#OVERLOADED}; so no
 * record of an unconfirmed order remains. Replay discards a last record whose buyer does not fit
 * in the users table (left if taking it back failed too, or by 0.1.0), with a warning.
 *
 * <h2>Bounds and disk</h2>
 * The users table holds at most {@code maxUsers} buyers, checked before a new buyer is written;
 * every buyer takes one 32-byte slot whatever the length of the id. It and the counters map
 * (segment tiering off) are created at full size and allocated, so they never grow at run time. The outbox bound {@code outboxCapacity} counts
 * unflushed orders (applied minus flushed); the journal's segments are sized for that many
 * records of {@link OrderJournal#AVERAGE_RECORD} bytes, allocated and pre-faulted at creation,
 * and a record that finds no free segment is refused with {@code OVERLOADED} too. See
 * docs/persistence.md, "The ledger on disk", and docs/design.md, "Bounds".
 *
 * <p>The files are memory-mapped: a write is in the OS page cache as soon as the call returns,
 * which survives a process crash but not a power loss or kernel panic (see
 * docs/guarantees.md).
 *
 * <p><b>Older directories</b> are migrated on open: a 0.1.x {@code outbox.cm3} map's unflushed
 * records are copied into a new journal, and a {@code users.cm3} map's buyers into a new users
 * table; each is renamed into place before the old map is deleted (see
 * {@link #open(LedgerConfig)}).
 */
final class StockLedger implements AutoCloseable {
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
  /** Present only while a first open creates the map files; found on open, they are incomplete. */
  private static final String CREATING_MARKER = "CREATING";
  /** The 0.1.x users map ({@code saleIndex|userId} keys): migrated into {@link UserTable}. */
  private static final String LEGACY_USERS_FILE = "users.cm3";
  private static final String OUTBOX_FILE = "outbox.cm3";
  private static final String COUNTERS_FILE = "counters.cm3";
  /** Average bytes of a key in a 0.1.x users map, which {@link #legacyUsersBuilder} opens. */
  static final int USER_KEY_BYTES = 64;
  /**
   * Average bytes of a serialized {@link OrderRecord} (44 fixed, the rest the user id) in a 0.1.x
   * outbox map, which {@link #outboxBuilder} opens to migrate it.
   */
  static final int ORDER_VALUE_BYTES = 112;
  /** Chronicle refuses to fallocate a file unless the disk has 10% more free than the file. */
  private static final double SPACE_HEADROOM = 1.1;

  private final LedgerConfig config;
  private final UserTable users;
  /** Request ids of confirmed orders (requests.tbl): retries get the original order id. */
  private final RequestTable requests;
  private final OrderJournal journal;
  /** Reservations by order id (sales with payWithin); see {@link ReservationTable}. */
  private final ReservationTable reservations;
  /** Pay-by deadlines of the reservations; writer-confined, rebuilt at open. */
  private final DeadlineHeap deadlines = new DeadlineHeap();
  /** The writer's scratch key for reservation changes. */
  private final UserKey reservationKey = new UserKey();
  /** Set by the timer when it publishes a tick, cleared by the writer as it runs it. */
  /** A TICK is in the ring and not yet processed: claimed by the timer or the writer (CAS). */
  private final java.util.concurrent.atomic.AtomicBoolean tickPending =
      new java.util.concurrent.atomic.AtomicBoolean();
  /** Reservations expired by ticks and events since open (writer-confined). */
  private long expiredCount;
  private final OrderJournalReader outbox;
  private final ChronicleMap<Long, Long> counters;
  private final SaleCatalog catalog;
  /** Appended by the writer; read by the flusher to name an order's sale. */
  private final List<SaleState> sales = new CopyOnWriteArrayList<>();
  private final boolean recovered;
  private final long replayed;

  // Writer-confined state: touched only by the writer thread (or by open/close, before/after it).
  /** The writer's own key scratch (replay, the String form of decide, unitsBought). */
  private final UserKey ownKey = new UserKey();
  /** The writer's request-key scratch (replay). */
  private final UserKey ownRequestKey = new UserKey();
  private final OrderRecord scratch = new OrderRecord();
  private long appliedSeq;
  private long writeFailures;
  /**
   * The thread allowed to mutate; volatile so the hand-over at shutdown is visible. Null before
   * {@link #bindWriter} and after the writer is released: then the opening or closing thread may.
   */
  private volatile @Nullable Thread writer;

  /** {@code appliedSeq} as published to other threads: release store by the writer. */
  @SuppressWarnings("unused") // accessed through PUBLISHED_SEQ
  private long publishedSeq;

  private boolean closed;

  /** Test seam: called after each numbered write of a confirmation (1..4). */
  interface WriteProbe {
    WriteProbe NONE = step -> {};

    void afterWrite(int step);
  }

  private WriteProbe probe = WriteProbe.NONE;
  private WriteProbe faults = WriteProbe.NONE;

  /** Carries a probe's exception (a simulated crash) past the writer's failure handling. */
  private static final class ProbeCrash extends RuntimeException {
    final RuntimeException crash;

    ProbeCrash(RuntimeException crash) {
      super(null, null, false, false);
      this.crash = crash;
    }
  }

  /** Writes the counters without boxing: the writer's (checkpoint) and the flusher's. */
  private final CounterWriter counterWriter;
  /** Boxed counter keys, by {@code 2 × saleIndex (+1)}: writer-confined (or the opening thread). */
  private final Long[] counterKeys;

  /** Sales whose counters changed since the last checkpoint (writer-confined). */
  private final boolean[] dirty;
  private final int[] dirtySales;
  private int dirtyCount;

  /** Test seam: installs a probe that may throw to simulate a crash between two writes. */
  void probe(WriteProbe probe) {
    this.probe = probe;
  }

  /**
   * Test seam: called just before numbered write 1 (the record) and 2 (the user's units) of a
   * confirmation, inside the writer's failure handling, so a throw there acts as Chronicle
   * failing that write (a full segment, {@code InternalError} from a mapped page, ...).
   */
  void faults(WriteProbe beforeWrite) {
    this.faults = beforeWrite;
  }

  private void probeAfter(int step) {
    try {
      probe.afterWrite(step);
    } catch (RuntimeException e) {
      throw new ProbeCrash(e);
    }
  }

  private StockLedger(LedgerConfig config, UserTable users, RequestTable requests,
      OrderJournal journal, ReservationTable reservations, ChronicleMap<Long, Long> counters,
      SaleCatalog catalog, boolean recovered) {
    this.config = config;
    this.users = users;
    this.requests = requests;
    this.journal = journal;
    this.reservations = reservations;
    this.counters = counters;
    this.catalog = catalog;
    this.recovered = recovered;
    this.dirty = new boolean[config.maxSales()];
    this.dirtySales = new int[config.maxSales()];
    this.counterWriter = new CounterWriter(counters);
    this.counterKeys = new Long[2 * config.maxSales()];
    Long watermark = counters.get(WATERMARK_KEY);
    this.appliedSeq = watermark == null ? 0 : watermark;
    List<Sale> specs = catalog.sales();
    for (int i = 0; i < specs.size(); i++) {
      sales.add(loadSale(specs.get(i), i));
    }
    Long flushed = counters.get(FLUSHED_KEY);
    long flushedSeq = flushed == null ? 0 : flushed;
    journal.recoverTail(appliedSeq + 1);
    journal.publishFlushed(flushedSeq);
    this.replayed = replayTail();
    rebuildReservations();
    PUBLISHED_SEQ.setRelease(this, appliedSeq);
    this.outbox = new OrderJournalReader(journal, flushedSeq, i -> sales.get(i).sale().id(),
        this::publishedSeq, flushedWatermarkWriter(counters));
  }

  /**
   * How the outbox's reader stores the flushed watermark: through a {@link CounterWriter} of its
   * own, since it runs on the flusher thread (no boxing per stored batch).
   */
  private static LongConsumer flushedWatermarkWriter(ChronicleMap<Long, Long> counters) {
    CounterWriter flusherOwned = new CounterWriter(counters);
    return seq -> flusherOwned.put(FLUSHED_KEY, seq);
  }

  /**
   * Opens (or creates) the ledger in {@code config.directory()}. If the previous owner did not
   * close it cleanly, each map is opened in Chronicle's recovery mode; the journal's records
   * above the applied watermark are replayed in any case. A 0.1.x directory's {@code outbox.cm3}
   * is migrated into a new journal first: its records above the flushed watermark are written
   * to {@code journal.migrating/}, forced to disk, the directory renamed to {@code journal/}, and
   * only then is {@code outbox.cm3} deleted; a migration cut short is redone on the next open.
   *
   * <p>A first open (no counters file yet) checks that the file system has room for the files
   * (their full size, see {@link #bytesToCreate}) before creating anything, and creates them
   * fully allocated, so they never grow at run time. If creating fails, the files this open
   * created are removed before the exception is thrown, so a retry starts afresh. A
   * {@code CREATING} marker, present only while the files are being created, lets the next open
   * clean up after a process that died half-way through a first open.
   *
   * @throws IOException if the disk lacks room for the files (the message names the directory,
   *     the bytes needed and the bytes free) or a file cannot be created or opened
   */
  public static StockLedger open(LedgerConfig config) throws IOException {
    return open(config, true);
  }

  /** {@link #open(LedgerConfig)}; tests may skip the space check to reach Chronicle's own. */
  static StockLedger open(LedgerConfig config, boolean checkSpace) throws IOException {
    Path dir = config.directory();
    Files.createDirectories(dir);
    Path creating = dir.resolve(CREATING_MARKER);
    if (Files.exists(creating)) {
      // A first open died while creating the files: no order was ever taken, nothing to keep.
      log.warn("seckill ledger shard {}: a previous first open of {} did not finish creating the"
          + " ledger files; removing them and creating them again", config.shardIndex(), dir);
      for (String name : new String[] {UserTable.FILE, RequestTable.FILE, OUTBOX_FILE,
          COUNTERS_FILE, ReservationTable.FILE}) {
        Files.deleteIfExists(dir.resolve(name));
      }
      OrderJournal.deleteAll(dir.resolve(OrderJournal.DIRECTORY), null);
    }
    Path marker = dir.resolve(CLEAN_MARKER);
    boolean fresh = !Files.exists(dir.resolve(COUNTERS_FILE));
    if (fresh) {
      if (checkSpace) {
        requireSpace(dir, bytesToCreate(config), "the ledger files of shard " + config.shardIndex());
      }
      Files.write(creating, new byte[0]);
      Fsync.directory(dir);
    }
    boolean clean = fresh || Files.exists(marker);
    List<Path> created = new ArrayList<>(3);
    UserTable users = null;
    RequestTable requests = null;
    ChronicleMap<Long, Long> counters = null;
    OrderJournal journal = null;
    ReservationTable reservations = null;
    Path opening = null;
    long openStarted = System.nanoTime();
    try {
      opening = dir.resolve(COUNTERS_FILE);
      counters = openMap(countersBuilder(config), opening, clean, created);
      opening = dir.resolve(UserTable.FILE);
      users = openUsers(config, clean, created);
      opening = dir.resolve(RequestTable.FILE);
      requests = openRequests(config, created);
      opening = dir.resolve(OrderJournal.DIRECTORY);
      journal = openJournal(config, counters, clean, fresh, created);
      opening = dir.resolve(ReservationTable.FILE);
      if (!Files.exists(opening)) {
        created.add(opening); // a directory from before reservations gets its table now
      }
      reservations = ReservationTable.openOrCreate(opening, config.maxReservations(),
          config.prefault());
      if (reservations.maxEntries() != config.maxReservations()) {
        throw new IllegalStateException("the reservations table " + opening + " was created with"
            + " maxReservationsPerShard=" + reservations.maxEntries() + " but the engine is"
            + " configured with maxReservationsPerShard=" + config.maxReservations() + "; this"
            + " setting cannot change while the ledger files exist");
      }
      opening = null;
      if (fresh) {
        Files.delete(creating);
      }
      // From here on the files are in use: a crash must be treated as unclean on next open.
      Files.deleteIfExists(marker);
      Fsync.directory(dir);
      long started = System.nanoTime();
      StockLedger ledger = new StockLedger(config, users, requests, journal, reservations, counters,
          SaleCatalog.load(dir), !clean);
      log.info("seckill ledger shard {} opened {} in {}: files opened in {} ms,"
              + " sales={}, appliedSeq={}, replayed={} (journal tail found and replayed in {} ms),"
              + " users={} of {} ({} slots), outbox={} of {} orders, journal {} x {} bytes",
          config.shardIndex(), clean ? "cleanly" : "after an unclean stop (recovered)", dir,
          (started - openStarted) / 1_000_000, ledger.sales.size(),
          ledger.appliedSeq, ledger.replayed, (System.nanoTime() - started) / 1_000_000,
          users.count(), users.maxUsers(), users.capacity(), ledger.outboxSize(),
          config.outboxCapacity(), journal.slots(), journal.segmentBytes());
      return ledger;
    } catch (IOException | RuntimeException | Error e) {
      if (users != null) {
        users.close();
      }
      if (requests != null) {
        requests.close();
      }
      closeQuietly(counters);
      if (journal != null) {
        journal.close();
      }
      if (reservations != null) {
        reservations.close();
      }
      if (!created.isEmpty() || fresh) {
        // Remove what this open created: a half-created file would make the next open wait for
        // its header and then fail with a misleading "the process which created it crashed".
        for (Path file : created) {
          try {
            if (file.getFileName().toString().equals(OrderJournal.DIRECTORY)) {
              OrderJournal.deleteAll(file, e);
            } else {
              Files.deleteIfExists(file);
            }
          } catch (IOException | RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        if (fresh) {
          try {
            Files.deleteIfExists(creating);
          } catch (IOException | RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
      }
      if (opening != null && e instanceof IOException) {
        throw new IOException("could not " + (created.contains(opening) ? "create " : "open ")
            + opening + ": " + e.getMessage()
            + (created.isEmpty() ? "" : "; removed the files this open created: " + created), e);
      }
      throw e;
    }
  }

  /**
   * Opens the shard's journal: creates it on a first open, migrates a 0.1.x outbox map into it
   * (see {@link #migrateOutbox}), or maps the existing one.
   */
  private static OrderJournal openJournal(LedgerConfig config, ChronicleMap<Long, Long> counters,
      boolean clean, boolean fresh, List<Path> created) throws IOException {
    Path dir = config.directory();
    Path journalDir = dir.resolve(OrderJournal.DIRECTORY);
    Path migrating = dir.resolve(OrderJournal.DIRECTORY + ".migrating");
    Path legacy = dir.resolve(OUTBOX_FILE);
    OrderJournal.deleteAll(migrating, null); // a migration that did not finish: start it again
    if (Files.isDirectory(journalDir)) {
      if (Files.exists(legacy)) {
        // A migration finished (the journal is complete) but died before removing the old map.
        Files.delete(legacy);
        Fsync.directory(dir);
      }
      return OrderJournal.openExisting(journalDir);
    }
    if (Files.exists(legacy)) {
      migrateOutbox(config, counters, clean, legacy, migrating, journalDir);
      return OrderJournal.openExisting(journalDir);
    }
    if (!fresh) {
      throw new IllegalStateException("the ledger in " + dir + " has " + COUNTERS_FILE + " but"
          + " neither the order journal (" + journalDir + ") nor a 0.1.x " + OUTBOX_FILE
          + "; it is damaged. Restore the directory from a backup or remove it to start empty");
    }
    created.add(journalDir);
    return OrderJournal.create(journalDir, config.outboxCapacity(), config.prefault());
  }

  /**
   * Opens the shard's request table, creating it if absent (a first open, or a directory created
   * before request ids existed: it starts empty, as no earlier order carried one).
   */
  private static RequestTable openRequests(LedgerConfig config, List<Path> created)
      throws IOException {
    Path file = config.directory().resolve(RequestTable.FILE);
    if (Files.exists(file)) {
      return RequestTable.open(file, config.maxRequestIds(), config.prefault());
    }
    created.add(file); // before creating: a failed creation may leave a partial file
    return RequestTable.create(file, requestIdsToCreate(config), config.clock().millis(),
        config.prefault());
  }

  /** The bound a new request table gets: the configured one, or a small one for tools. */
  private static long requestIdsToCreate(LedgerConfig config) {
    return config.maxRequestIds() > 0 ? config.maxRequestIds() : LedgerConfig.TEST_MAX_REQUEST_IDS;
  }

  /**
   * Opens the shard's users table: creates it on a first open, migrates a 0.1.x users map
   * ({@code users.cm3}) into it, or opens the existing one. A migration writes
   * {@code users.tbl.migrating}, forces it, renames it to {@code users.tbl} (atomic) and only then
   * deletes the old map; a migration cut short by a crash is redone on the next open.
   */
  private static UserTable openUsers(LedgerConfig config, boolean clean, List<Path> created)
      throws IOException {
    Path dir = config.directory();
    Path file = dir.resolve(UserTable.FILE);
    Path migrating = dir.resolve(UserTable.FILE + ".migrating");
    Path legacy = dir.resolve(LEGACY_USERS_FILE);
    Files.deleteIfExists(migrating); // a migration that did not finish: start it again
    if (Files.exists(file)) {
      if (Files.exists(legacy)) {
        Files.delete(legacy); // migrated, but died before removing the old map
        Fsync.directory(dir);
      }
      return UserTable.open(file, config.prefault());
    }
    if (Files.exists(legacy)) {
      long started = System.nanoTime();
      long moved = 0;
      ChronicleMap<CharSequence, Long> old = clean
          ? legacyUsersBuilder(config).createPersistedTo(legacy.toFile())
          : legacyUsersBuilder(config).recoverPersistedTo(legacy.toFile(), true);
      try (UserTable t = UserTable.create(migrating, Math.max(config.maxUsers(), old.longSize()),
          config.prefault())) {
        UserKey key = new UserKey();
        long[] count = new long[1];
        old.forEachEntry(e -> {
          String k = e.key().get().toString();
          int bar = k.indexOf('|');
          t.keys().hash(Integer.parseInt(k.substring(0, bar)), k.substring(bar + 1), key);
          long slot = t.find(key);
          if (slot < 0) {
            t.insert(-1 - slot, key, e.value().get());
            count[0]++;
          }
        });
        moved = count[0];
        t.force();
      } catch (IOException | RuntimeException | Error e) {
        old.close();
        Files.deleteIfExists(migrating);
        throw e;
      }
      old.close();
      Files.move(migrating, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Fsync.directory(dir);
      Files.delete(legacy);
      Fsync.directory(dir);
      log.info("seckill ledger shard {}: migrated {} buyers from the 0.1.x {} into the users table"
          + " {} in {} ms", config.shardIndex(), moved, legacy, file,
          (System.nanoTime() - started) / 1_000_000);
      return UserTable.open(file, config.prefault());
    }
    created.add(file); // before creating: a failed creation may leave a partial file
    return UserTable.create(file, config.maxUsers(), config.prefault());
  }

  /**
   * Moves the unflushed orders of a 0.1.x ledger's outbox map ({@code outbox.cm3}) into a new
   * journal: written in {@code journal.migrating}, forced to disk, renamed to {@code journal}
   * (atomic), and only then is the old map deleted. A crash at any point leaves either the old
   * map alone (the migration runs again) or a complete journal (the old map is deleted).
   * Orders at or below the flushed watermark were stored in the sink and are not carried over;
   * the records above the applied watermark are, and are replayed as usual.
   */
  private static void migrateOutbox(LedgerConfig config, ChronicleMap<Long, Long> counters,
      boolean clean, Path legacy, Path migrating, Path journalDir) throws IOException {
    long started = System.nanoTime();
    Long flushedValue = counters.get(FLUSHED_KEY);
    Long appliedValue = counters.get(WATERMARK_KEY);
    long flushed = flushedValue == null ? 0 : flushedValue;
    long applied = appliedValue == null ? 0 : appliedValue;
    long moved = 0;
    ChronicleMap<Long, OrderRecord> old = clean
        ? outboxBuilder(config).createPersistedTo(legacy.toFile())
        : outboxBuilder(config).recoverPersistedTo(legacy.toFile(), true);
    try (OrderJournal j = OrderJournal.create(migrating, config.outboxCapacity())) {
      // The flusher removed stored orders before it persisted its watermark: skip any it removed.
      long first = flushed + 1;
      while (first <= applied && !old.containsKey(first)) {
        first++;
      }
      if (first - 1 != flushed) {
        counters.put(FLUSHED_KEY, first - 1);
      }
      j.recoverTail(first);
      OrderRecord r = new OrderRecord();
      for (long seq = first; old.getUsing(seq, r) != null; seq++) {
        if (!j.append(r)) {
          throw new IllegalStateException("cannot migrate " + legacy + ": its " + (seq - first)
              + "+ unflushed orders do not fit in a journal sized for outboxCapacityPerShard="
              + config.outboxCapacity() + "; open it with 0.1.x and let the sink drain the outbox,"
              + " or raise outboxCapacityPerShard");
        }
        moved++;
      }
      j.force();
    } catch (IOException | RuntimeException | Error e) {
      OrderJournal.deleteAll(migrating, e);
      old.close();
      throw e;
    }
    old.close();
    Fsync.directory(migrating);
    Files.move(migrating, journalDir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Fsync.directory(config.directory());
    Files.delete(legacy);
    Fsync.directory(config.directory());
    log.info("seckill ledger shard {}: migrated {} unflushed orders from the 0.1.x {} into the"
            + " order journal {} in {} ms", config.shardIndex(), moved, legacy, journalDir,
        (System.nanoTime() - started) / 1_000_000);
  }

  /** The 0.1.x users map ({@code users.cm3}): read once, to migrate it into the users table. */
  static ChronicleMapBuilder<CharSequence, Long> legacyUsersBuilder(LedgerConfig config) {
    return ChronicleMapBuilder.of(CharSequence.class, Long.class)
        .name("seckill-users-" + config.shardIndex())
        .entries(config.maxUsers())
        .averageKeySize(USER_KEY_BYTES)
        .allowSegmentTiering(false) // a full segment throws (answered OVERLOADED), never grows
        .putReturnsNull(true)
        .removeReturnsNull(true);
  }

  /** The 0.1.x outbox map ({@code outbox.cm3}): read once, to migrate it into the journal. */
  static ChronicleMapBuilder<Long, OrderRecord> outboxBuilder(LedgerConfig config) {
    return ChronicleMapBuilder.of(Long.class, OrderRecord.class)
        .name("seckill-outbox-" + config.shardIndex())
        .entries(config.outboxCapacity())
        .averageValueSize(ORDER_VALUE_BYTES)
        .valueMarshallers(OrderRecordMarshaller.INSTANCE, OrderRecordMarshaller.INSTANCE)
        .allowSegmentTiering(false)
        .putReturnsNull(true)
        .removeReturnsNull(true);
  }

  static ChronicleMapBuilder<Long, Long> countersBuilder(LedgerConfig config) {
    return ChronicleMapBuilder.of(Long.class, Long.class)
        .name("seckill-counters-" + config.shardIndex())
        .entries(2L * config.maxSales() + 16)
        .allowSegmentTiering(false)
        .putReturnsNull(true)
        .removeReturnsNull(true);
  }

  /**
   * Bytes the ledger files of {@code config}'s shard take when created: their full, allocated
   * size (0 for a shard whose files exist). Computed from Chronicle's own sizing, without
   * creating anything; -1 if this Chronicle version does not let us compute it.
   */
  public static long bytesToCreate(LedgerConfig config) {
    Path dir = config.directory();
    if (Files.exists(dir.resolve(COUNTERS_FILE)) && !Files.exists(dir.resolve(CREATING_MARKER))) {
      return 0;
    }
    long counters = fileSize(countersBuilder(config));
    if (counters < 0) {
      return -1;
    }
    return UserTable.bytesFor(config.maxUsers()) + counters
        + RequestTable.bytesFor(requestIdsToCreate(config))
        + OrderJournal.bytesToCreate(config.outboxCapacity())
        + ReservationTable.bytesFor(config.maxReservations());
  }

  private static final long PAGE = 4096;

  /**
   * The length of the file {@code builder} would create: Chronicle's own layout computation
   * (the map object it builds before mapping the file), plus the header's page(s). Chronicle
   * offers no public method for it, so this reaches its builder's private {@code newMap};
   * -1 if that fails (a future version), and the caller then skips the space check.
   */
  static long fileSize(ChronicleMapBuilder<?, ?> builder) {
    try {
      ChronicleMapBuilder<?, ?> probe = builder.clone();
      Field persisted = ChronicleMapBuilder.class.getDeclaredField("persisted");
      persisted.setAccessible(true);
      persisted.setBoolean(probe, true); // persisted maps checksum entries: 4 bytes more each
      Method newMap = ChronicleMapBuilder.class.getDeclaredMethod("newMap");
      newMap.setAccessible(true);
      VanillaChronicleHash<?, ?, ?, ?> layout = (VanillaChronicleHash<?, ?, ?, ?>) newMap.invoke(probe);
      long withoutHeader = layout.sizeInBytesWithoutTiers();
      return (withoutHeader + 2 * PAGE + PAGE - 1) / PAGE * PAGE;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      log.debug("cannot compute the ledger file size with this Chronicle Map version", e);
      return -1;
    }
  }

  /**
   * Fails unless the file system holding {@code dir} (or its nearest existing parent) has
   * {@code needed} bytes free plus Chronicle's 10% head-room. Does nothing if {@code needed}
   * is 0 or unknown (negative).
   *
   * @throws IOException naming {@code what}, the directory, the bytes needed and the bytes free
   */
  public static void requireSpace(Path dir, long needed, String what) throws IOException {
    if (needed <= 0) {
      return;
    }
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    FileStore store = Files.getFileStore(existing);
    long free = store.getUsableSpace();
    long wanted = (long) Math.ceil(needed * SPACE_HEADROOM);
    if (free < wanted) {
      throw new IOException("not enough disk space in " + dir + " for " + what + ": they need "
          + needed + " bytes (" + mib(needed) + " MiB, allocated in full at creation) plus 10%"
          + " head-room, " + wanted + " bytes in all, but the file system (" + store + ") has "
          + free + " bytes free (" + mib(free) + " MiB). Free some space, choose another dataDir,"
          + " or lower maxUsersPerShard / outboxCapacityPerShard / shards (docs/design.md, Disk use)");
    }
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1048576.0);
  }

  private static <K, V> ChronicleMap<K, V> openMap(ChronicleMapBuilder<K, V> builder, Path file,
      boolean clean, List<Path> created) throws IOException {
    File f = file.toFile();
    if (!f.exists()) {
      created.add(file); // before creating: a failed creation may leave a partial file
      ChronicleMap<K, V> map = builder.createPersistedTo(f);
      try {
        allocate(file);
      } catch (IOException | RuntimeException | Error e) {
        closeQuietly(map);
        throw e;
      }
      return map;
    }
    if (clean) {
      return builder.createPersistedTo(f);
    }
    return builder.recoverPersistedTo(f, true);
  }

  /**
   * Reserves the disk blocks of a just-created map file, so writing into it later never needs
   * new space: a disk that fills after open cannot fail or stall a sale. Chronicle creates the file
   * at its full length but sparse; {@code fallocate(2)} allocates the blocks (which read as zeros)
   * without writing them. Not Chronicle's own {@code sparseFile(false)}: that zeroes each tier
   * through memory when it is first mapped, on the writer thread, mid-sale — measured at about a
   * sixth of the sparse file's decisions per second (docs/benchmarks.md). Where the system has no
   * {@code fallocate} (not Linux), the file stays sparse and this is logged once.
   */
  static void allocate(Path file) throws IOException {
    long size = Files.size(file);
    net.openhft.posix.PosixAPI posix;
    try {
      posix = net.openhft.posix.PosixAPI.posix();
    } catch (RuntimeException | LinkageError e) {
      logNoFallocate(e);
      return;
    }
    int fd = posix.open(file.toString(), O_RDWR, 0);
    if (fd < 0) {
      throw new IOException("could not open " + file + " to allocate its " + size + " bytes");
    }
    try {
      int rc = posix.fallocate(fd, 0, 0, size);
      if (rc != 0) {
        throw new IOException("Not enough space to allocate " + file + ": " + size
            + " bytes (fallocate returned " + rc + ")");
      }
    } catch (UnsupportedOperationException e) {
      logNoFallocate(e);
    } finally {
      posix.close(fd);
    }
  }

  private static final int O_RDWR = 2;
  private static volatile boolean noFallocateLogged;

  private static void logNoFallocate(Throwable why) {
    if (!noFallocateLogged) {
      noFallocateLogged = true;
      log.warn("seckill ledger: cannot reserve disk blocks here ({}); ledger files stay sparse,"
          + " so a disk that fills mid-sale fails writes (answered OVERLOADED)", why.toString());
    }
  }

  private static void closeQuietly(@Nullable ChronicleMap<?, ?> map) {
    if (map != null) {
      try {
        map.close();
      } catch (RuntimeException ignored) {
        // already failing; the original exception is the one to report
      }
    }
  }

  private SaleState loadSale(Sale sale, int index) {
    SaleCatalog.Entry entry = catalog.entry(index);
    if (entry.archived) {
      // Archived: its counters go (again, if a crash came between the catalog and the removal),
      // so the slot's next sale starts from its own stock.
      counters.remove(remainingKey(index));
      counters.remove(ordersKey(index));
      return new SaleState(sale, config.shardIndex(), index, 0, 0, entry);
    }
    Long remaining = counters.get(remainingKey(index));
    Long orders = counters.get(ordersKey(index));
    if (remaining == null) {
      // Crashed between writing the catalog and the counters: no order can exist yet.
      remaining = entry.totalStock;
      orders = 0L;
      counters.put(remainingKey(index), remaining);
      counters.put(ordersKey(index), orders);
    }
    if (entry.stockOpSeq >= 0 && entry.stockOpSeq == appliedSeq) {
      // Stock was added and no checkpoint has moved the watermark since: the counters may miss
      // it (a crash between the catalog and the counters). The catalog holds the values after.
      remaining = entry.stockOpRemaining;
      orders = entry.stockOpOrders;
    }
    SaleState state = new SaleState(sale, config.shardIndex(), index, remaining,
        orders == null ? 0 : orders, entry);
    state.lastOrderSeq = state.ordersForWriter() > 0 ? appliedSeq : 0; // at most; see archive
    state.clustered = clustered(); // its remaining is reset by the cluster thread before selling
    return state;
  }

  /**
   * Re-applies every journal record above the watermark, up to the journal's end (a torn or
   * absent record); returns how many.
   */
  private long replayTail() {
    long count = 0;
    ByteBuffer[] views = new ByteBuffer[journal.slots()];
    for (int i = 0; i < views.length; i++) {
      views[i] = journal.view(i);
    }
    CRC32C crc = new CRC32C();
    OrderJournal.Cursor c = new OrderJournal.Cursor();
    if (!journal.seek(appliedSeq + 1, c, views, crc)) {
      checkpoint();
      return 0;
    }
    OrderRecord r = scratch;
    while (journal.next(c, views, crc, r)) {
      long seq = c.seq - 1;
      if (r.saleIndex < 0 || r.saleIndex >= sales.size()) {
        throw new IllegalStateException("journal record " + seq + " names sale index "
            + r.saleIndex + " but the catalog holds " + sales.size() + " sales; the ledger in "
            + config.directory() + " is damaged");
      }
      SaleState sale = sales.get(r.saleIndex);
      if (r.type >= 2) { // a state change: every value after it, set
        replayStateChange(sale, r);
        sale.lastOrderSeq = seq;
        appliedSeq++;
        count++;
        continue;
      }
      users.keys().hash(sale.keyIndex(), r.userId, ownKey);
      long slot = users.find(ownKey);
      if (slot >= 0) {
        users.setUnits(slot, r.userUnitsAfter); // a set: replaying twice changes nothing
      } else if (users.count() < users.maxUsers()) {
        users.insert(-1 - slot, ownKey, r.userUnitsAfter);
      } else {
        OrderJournal.Cursor peek = new OrderJournal.Cursor();
        peek.set(c);
        if (journal.next(peek, views, crc, null)) {
          throw new IllegalStateException("journal record " + seq + " (order " + r.orderId
              + ") cannot be replayed: its buyer does not fit in the users table (" + users
              + "), and later records exist; the ledger in " + config.directory() + " is damaged");
        }
        // The last record, whose buyer never fit: its purchase's user write failed and the
        // record could not be taken back, so it was never confirmed to anyone.
        log.warn("seckill ledger shard {}: discarding journal record {} (order {}, user '{}'):"
                + " its buyer does not fit in the users table ({} of {} users), so its purchase"
                + " failed and was never confirmed", config.shardIndex(), seq, r.orderId, r.userId,
            users.count(), users.maxUsers());
        journal.discardLast(c);
        break;
      }
      if (r.hasRequestKey) { // a set too: present already, nothing is added
        ownRequestKey.set(r.requestHi, r.requestLo);
        requests.insert(ownRequestKey, r.orderId, RequestTable.fingerprint(ownKey, r.quantity));
      }
      if (r.type == 1) {
        replayReservation(r);
        sale.applyCounters(r.stockAfter, r.saleOrdersAfter, r.heldAfter, r.paidAfter);
      } else {
        sale.applyConfirmed(r.stockAfter, r.saleOrdersAfter);
      }
      sale.lastOrderSeq = seq;
      markDirty(sale.index());
      appliedSeq++;
      count++;
    }
    checkpoint();
    return count;
  }

  /** Replay of a type-1 record: the reservation's entry, as the record says (a set). */
  private void replayReservation(OrderRecord r) {
    long slot = reservations.find(r.orderId);
    if (slot >= 0) {
      reservations.setState(slot, OrderState.values()[r.state], r.version, r.refHash, 0);
      return;
    }
    if (slot == Long.MIN_VALUE) {
      throw new IllegalStateException("journal record of order " + r.orderId + " cannot be"
          + " replayed: the reservations table " + reservations + " has no free slot");
    }
    ownKey.hi = r.userHi;
    ownKey.lo = r.userLo;
    reservations.insert(-1 - slot, r.orderId, r.deadlineMillis, ownKey, r.saleIndex, r.quantity,
        OrderState.RESERVED, r.version, 0, 0);
  }

  /** Replay of a type 2-4 record: the entry's state, the buyer's units and the sale's counters. */
  private void replayStateChange(SaleState sale, OrderRecord r) {
    OrderState state = OrderState.values()[r.state];
    long slot = reservations.find(r.orderId);
    ownKey.hi = r.userHi;
    ownKey.lo = r.userLo;
    if (slot >= 0) {
      reservations.setState(slot, state, r.version, r.refHash, r.confirmedAtMillis);
    } else if (slot != Long.MIN_VALUE) {
      reservations.insert(-1 - slot, r.orderId, r.deadlineMillis, ownKey, r.saleIndex,
          r.quantity, state, r.version, r.refHash, r.confirmedAtMillis);
    }
    long userSlot = users.find(ownKey);
    if (userSlot >= 0) {
      users.setUnits(userSlot, r.userUnitsAfter);
    }
    sale.applyCounters(r.stockAfter, r.saleOrdersAfter, r.heldAfter, r.paidAfter);
    markDirty(sale.index());
  }

  /**
   * After replay: the deadline heap from the table's RESERVED entries, and each reservation
   * sale's held units (their sum) and paid units ({@code stock - remaining - held}), published.
   * One sequential scan of the table.
   */
  private void rebuildReservations() {
    long[] held = new long[sales.size()];
    reservations.forEachUsed(slot -> {
      if (reservations.state(slot) == OrderState.RESERVED) {
        deadlines.push(reservations.deadline(slot), reservations.orderId(slot));
        int i = reservations.saleIndex(slot);
        if (i >= 0 && i < held.length) {
          held[i] += reservations.quantity(slot);
        }
      }
    });
    for (SaleState sale : sales) {
      if (sale.sale().payWithin() != null) {
        long remaining = sale.remainingForWriter();
        long h = held[sale.index()];
        sale.applyCounters(remaining, sale.ordersForWriter(), h, sale.totalStock() - remaining - h);
      }
    }
  }

  /** Records the calling thread as the only one allowed to mutate this ledger. */
  public void bindWriter() {
    writer = Thread.currentThread();
    journal.bindWriter();
  }

  /** Called by the writer as it stops: from now on the closing thread may finish the ledger. */
  public void releaseWriter() {
    writer = null;
    journal.releaseWriter();
  }

  private boolean onWriterThread() {
    return writer == null || writer == Thread.currentThread();
  }

  /**
   * The sales this shard holds, in catalog order. The writer thread; or any thread while no
   * {@link #register} can run: before the first registration sent through the started writer
   * (the engine reads it as it is built, on the thread that opened the ledger), or after the
   * writer stopped.
   */
  public List<SaleState> sales() {
    List<SaleState> live = new ArrayList<>(sales.size());
    for (SaleState s : sales) {
      if (!s.isArchived()) {
        live.add(s);
      }
    }
    return Collections.unmodifiableList(live);
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
    int free = -1;
    for (SaleState existing : sales) { // a few sales: linear scan is fine on this admin path
      if (existing.isArchived()) {
        free = free < 0 ? existing.index() : free;
      } else if (existing.sale().id().equals(sale.id())) {
        return existing.requireSameSpec(sale);
      }
    }
    long initial = clustered() ? 0 : sale.stock(); // cluster mode: only leased units are sold
    if (free >= 0) { // the slot of an archived sale: its counters were removed at archive
      SaleCatalog.Entry entry = catalog.reuse(free, sale, config.maxSales());
      counters.put(remainingKey(free), initial);
      counters.put(ordersKey(free), 0L);
      SaleState state = new SaleState(sale, config.shardIndex(), free, initial, 0, entry);
      state.clustered = clustered();
      sales.set(free, state);
      log.info("seckill sale registered: {} on shard {} (in the slot of an archived sale)", sale,
          config.shardIndex());
      return state;
    }
    if (sales.size() >= config.maxSales()) {
      throw new IllegalStateException("shard " + config.shardIndex() + " already holds maxSales="
          + config.maxSales() + " sales; cannot register '" + sale.id() + "'");
    }
    int index = catalog.add(sale); // durable first; counters missing on crash means "untouched"
    counters.put(remainingKey(index), initial);
    counters.put(ordersKey(index), 0L);
    SaleState state = new SaleState(sale, config.shardIndex(), index, initial, 0);
    state.clustered = clustered();
    sales.add(state);
    log.info("seckill sale registered: {} on shard {}", sale, config.shardIndex());
    return state;
  }

  /** The most units a sale's total stock may reach through added stock. */
  static final long MAX_TOTAL_STOCK = Long.MAX_VALUE / 4;

  /**
   * Applies an operator's change to {@code sale} (see {@link SaleOp}) and returns the sale's
   * state after it. Writer thread only. Each change is written to the sale catalog (atomically
   * replaced and forced to disk) <em>before</em> it takes effect in memory, so a crash either
   * leaves the sale as it was or as changed. Added stock also changes the counters: the catalog
   * records the counters after the change and the applied watermark at the time, and the
   * counters are written right after (marked dirty, checkpointed); a crash in between is repaired
   * on open, where a watermark that has not moved since means "take the catalog's values" (see
   * {@link #loadSale}).
   *
   * @throws IllegalArgumentException for an argument that does not fit the sale now (an end that
   *     is not later, stock that would overflow); nothing changed
   * @throws IllegalStateException for an archive the sale is not ready for (not finished, or
   *     orders not yet stored by the sink); nothing changed
   * @throws java.io.UncheckedIOException if the catalog cannot be written; nothing changed
   */
  SaleState operate(SaleState sale, SaleOp op, long arg) {
    assert onWriterThread() : "operate called off the ledger writer thread";
    if (sale.isArchived() || sales.get(sale.index()) != sale) {
      throw new IllegalStateException("sale '" + sale.sale().id() + "' is archived");
    }
    checkpoint(); // the counters and watermark current: the added-stock recovery rule needs it
    int index = sale.index();
    SaleCatalog.Entry e = catalog.entry(index);
    long now = config.clock().millis();
    switch (op) {
      case PAUSE, RESUME -> {
        e.paused = op == SaleOp.PAUSE;
        catalog.update(index, e);
        sale.setPaused(e.paused);
      }
      case END -> {
        long end = Math.max(now, sale.startsAtMillis());
        if (end < sale.endsAtMillis()) { // already over: nothing to move
          e.endsAtMillis = end;
          catalog.update(index, e);
          sale.setEndsAtMillis(end);
        }
      }
      case EXTEND -> {
        if (arg <= sale.endsAtMillis()) {
          throw new IllegalArgumentException("endsAt must be after the sale's current end "
              + java.time.Instant.ofEpochMilli(sale.endsAtMillis()) + ", was "
              + java.time.Instant.ofEpochMilli(arg));
        }
        e.endsAtMillis = arg;
        catalog.update(index, e);
        sale.setEndsAtMillis(arg);
      }
      case ADD_STOCK -> {
        if (sale.clustered) {
          throw new IllegalArgumentException("sale '" + sale.sale().id() + "' is sold in cluster"
              + " mode: its stock is the coordinator's pool, and adding stock is not supported"
              + " (docs/cluster.md)");
        }
        long remaining = sale.remainingForWriter();
        if (arg < 1 || arg > MAX_TOTAL_STOCK - e.totalStock) {
          throw new IllegalArgumentException("units must be 1 to " + (MAX_TOTAL_STOCK - e.totalStock)
              + " (the total stock of sale '" + sale.sale().id() + "' stays at most "
              + MAX_TOTAL_STOCK + "), was " + arg);
        }
        e.totalStock += arg;
        e.stockOpSeq = appliedSeq;
        e.stockOpRemaining = remaining + arg;
        e.stockOpOrders = sale.ordersForWriter();
        catalog.update(index, e); // durable first: the values after, and the watermark now
        sale.applyStock(remaining + arg, e.totalStock);
        markDirty(index);
        checkpoint(); // the counters now; the watermark does not move
        log.info("seckill sale '{}': {} units added, {} remaining, total stock {}",
            sale.sale().id(), arg, remaining + arg, e.totalStock);
      }
      case ARCHIVE -> {
        boolean finished = sale.remainingForWriter() == 0 || now >= sale.endsAtMillis();
        if (!finished) {
          throw new IllegalStateException("sale '" + sale.sale().id() + "' cannot be archived"
              + " before it is over: it ends at " + java.time.Instant.ofEpochMilli(sale.endsAtMillis())
              + " and has " + sale.remainingForWriter() + " units left; end it first (endSale)");
        }
        if (sale.heldForWriter() > 0) {
          throw new IllegalStateException("sale '" + sale.sale().id() + "' cannot be archived yet:"
              + " " + sale.heldForWriter() + " units are reserved and unpaid; they are paid,"
              + " cancelled or expire by their deadlines (payWithin) first");
        }
        long flushed = journal.flushedSeq();
        if (sale.lastOrderSeq > flushed) {
          throw new IllegalStateException("sale '" + sale.sale().id() + "' cannot be archived yet:"
              + " its orders up to journal sequence " + sale.lastOrderSeq + " are not all stored by"
              + " the order sink (stored up to " + flushed + "; " + outboxSize() + " orders wait"
              + " in the outbox). Wait for engine.flush(), or configure an OrderSink");
        }
        e.archived = true;
        e.paused = true;
        catalog.update(index, e);
        sale.setPaused(true); // the writer refuses what still reaches it (UNKNOWN_SALE)
        sale.setArchived();
        counters.remove(remainingKey(index));
        counters.remove(ordersKey(index));
        log.info("seckill sale archived: '{}' on shard {}, {} orders; its slot is free",
            sale.sale().id(), config.shardIndex(), sale.ordersForWriter());
      }
      default -> throw new IllegalArgumentException("unknown sale operation " + op);
    }
    return sale;
  }

  /**
   * Decides one purchase: confirms it (recording the order) if the stock and the user's limit
   * allow the whole quantity, otherwise refuses it. A new buyer beyond {@code maxUsers}, an order
   * beyond the outbox's bound or the journal's space, and any write that fails (undone first) are
   * refused with {@link Rejection#OVERLOADED}; this method throws only for a bug or a test probe's
   * simulated crash. Writer thread only; allocation-free.
   *
   * <p>This form hashes the buyer's key on the writer; the engine's callers compute it on their
   * own threads and call {@link #decide(SaleState, String, UserKey, int, DecisionSink)}.
   *
   * @return a positive order id, or a negative code readable with {@link #rejectionOf(long)}
   */
  public long decide(SaleState sale, String userId, int quantity) {
    users.keys().hash(sale.keyIndex(), userId, ownKey);
    return decide(sale, userId, ownKey, quantity);
  }

  /**
   * {@link #decide(SaleState, String, int)} with the buyer's key computed by the caller:
   * {@code key} must be {@link #userKeys()}{@code .hash(sale.keyIndex(), userId, key)}.
   */
  long decide(SaleState sale, String userId, UserKey key, int quantity) {
    return decide(sale, userId, key, quantity, (UserKey) null);
  }

  /**
   * {@link #decide(SaleState, String, UserKey, int)} for a request that may carry a request id:
   * {@code requestKey}, if not null, is its key ({@link #requestKey}). A request id remembered
   * for this sale answers its original order id (the same user and quantity) or
   * {@link Rejection#INVALID_REQUEST} (another purchase), before any other check; a new one is
   * remembered with the order, or the purchase is refused {@link Rejection#OVERLOADED} if the
   * request table's generation is full.
   */
  long decide(SaleState sale, String userId, UserKey key, int quantity,
      @Nullable UserKey requestKey) {
    assert onWriterThread() : "decide called off the ledger writer thread";
    assert keyOf(sale, userId, key) : "the user key was not computed with this ledger's keys";
    long fingerprint = 0;
    if (requestKey != null) {
      fingerprint = RequestTable.fingerprint(key, quantity);
      long entry = requests.find(requestKey);
      if (entry >= 0) { // a retry: the original decision, whatever the stock and limit now
        return requests.fingerprint(entry) == fingerprint ? requests.orderId(entry)
            : reject(Rejection.INVALID_REQUEST);
      }
    }
    if (sale.isPaused()) {
      return reject(sale.isArchived() ? Rejection.UNKNOWN_SALE : Rejection.PAUSED);
    }
    long remaining = sale.remainingForWriter();
    if (sale.clustered) {
      // The local lease: sell only before its deadline (elapsed time, checked here per decision,
      // so a paused-then-resumed JVM never sells on a stale lease) and only what it holds.
      long deadline = sale.leaseDeadlineNanos;
      if (deadline == 0 || System.nanoTime() - deadline >= 0) {
        return reject(Rejection.COORDINATOR_UNAVAILABLE);
      }
      if (quantity > remaining) {
        sale.wantTopUp();
        Rejection empty = sale.emptyRefusal;
        return reject(remaining > 0 && empty == Rejection.SOLD_OUT ? Rejection.INSUFFICIENT_STOCK
            : empty);
      }
    }
    java.time.Duration payWithin = sale.sale().payWithin();
    if (quantity > remaining && payWithin != null && deadlines.minDeadline() <= config.clock().millis()) {
      tick(); // reservations fell due: give their units back before judging this one
      remaining = sale.remainingForWriter();
    }
    if (remaining == 0) {
      return reject(sale.heldForWriter() > 0 ? Rejection.ALL_HELD : Rejection.SOLD_OUT);
    }
    if (quantity > remaining) {
      return reject(Rejection.INSUFFICIENT_STOCK);
    }
    long slot = users.find(key); // one lookup serves the limit check and the write
    long bought = slot >= 0 ? users.units(slot) : 0;
    if (bought + quantity > sale.sale().limitPerUser()) {
      return reject(Rejection.LIMIT_REACHED);
    }
    if (slot < 0 && users.count() >= config.maxUsers()) {
      return reject(Rejection.OVERLOADED); // the users bound: a new buyer
    }
    if (appliedSeq - journal.flushedSeq() >= config.outboxCapacity()) {
      return reject(Rejection.OVERLOADED); // the outbox bound: unflushed orders
    }
    long now = config.clock().millis();
    if (requestKey != null && !requests.roomFor(now, config.requestIdRetentionMillis())) {
      return reject(Rejection.OVERLOADED); // the request-id bound for this window
    }
    if (payWithin != null) {
      return reserve(sale, userId, key, quantity, slot, bought, remaining, now,
          payWithin.toMillis(), requestKey, fingerprint);
    }
    long seq = appliedSeq + 1;
    boolean recordWritten = false;
    long requestEntry = -1;
    try {
      long orderId = orderIdOf(seq);
      long remainingAfter = remaining - quantity;
      long ordersAfter = sale.ordersForWriter() + 1;
      long unitsAfter = bought + quantity;
      OrderRecord r = orderRecord(0, orderId, now, remainingAfter, ordersAfter, sale, quantity,
          unitsAfter, userId, requestKey);

      assert journal.nextSeq() == seq : "journal at " + journal.nextSeq() + ", order seq " + seq;
      faults.afterWrite(1);
      if (!journal.append(r)) { // 1. the record of truth
        return reject(Rejection.OVERLOADED); // the journal is full of unflushed orders; nothing written
      }
      recordWritten = true;
      probeAfter(1);
      if (requestKey != null) { // 1b. the request id (re-inserted by replay from the record)
        requestEntry = requests.insert(requestKey, orderId, fingerprint);
      }
      faults.afterWrite(2);
      if (slot >= 0) { // 2. the user's units: a set, replayable
        users.setUnits(slot, unitsAfter);
      } else {
        users.insert(-1 - slot, key, unitsAfter);
      }
      recordWritten = false;
      probeAfter(2);
      markDirty(sale.index()); // 3 and 4 follow in checkpoint(), once per batch

      appliedSeq = seq;
      sale.lastOrderSeq = seq;
      sale.applyConfirmed(remainingAfter, ordersAfter);
      if (sale.clustered) {
        if (remainingAfter <= sale.lowWater) {
          sale.wantTopUp(); // the local lease runs low: the cluster thread leases a chunk
        }
      } else if (remainingAfter == 0) {
        log.info("seckill sale sold out: '{}' after {} orders", sale.sale().id(), ordersAfter);
      }
      return orderId;
    } catch (ProbeCrash c) {
      throw c.crash;
    } catch (Throwable t) {
      // A write failed: the journal's mapped page could not be backed (InternalError), ... Undo,
      // answer OVERLOADED, keep the shard running.
      if (recordWritten) {
        requests.undo(requestEntry);
        undoRecord(seq);
      }
      return writeFailed(t);
    }
  }

  /**
   * {@link #decide} for a sale with {@code payWithin}: the order is a reservation. Writes, in
   * order: (1) the type-1 journal record (values after, the deadline, the buyer's key), (2) the
   * reservation's entry, (3) the buyer's units; then the deadline joins the heap and the
   * counters are published. A crash after (1) is redone by replay; before it, nothing happened.
   */
  /**
   * The writer's scratch record filled with an order's common fields (type 0, a final order, or
   * 1, a reservation, whose trailer the caller fills). Writer thread only; allocation-free.
   */
  private OrderRecord orderRecord(int type, long orderId, long now, long remainingAfter,
      long ordersAfter, SaleState sale, int quantity, long unitsAfter, String userId,
      @Nullable UserKey requestKey) {
    OrderRecord r = scratch;
    r.type = type;
    r.orderId = orderId;
    r.confirmedAtMillis = now;
    r.stockAfter = remainingAfter;
    r.saleOrdersAfter = ordersAfter;
    r.saleIndex = sale.index();
    r.quantity = quantity;
    r.userUnitsAfter = (int) unitsAfter;
    r.userId.setLength(0);
    r.userId.append(userId);
    r.hasRequestKey = requestKey != null;
    if (requestKey != null) {
      r.requestHi = requestKey.hi;
      r.requestLo = requestKey.lo;
    }
    return r;
  }

  private long reserve(SaleState sale, String userId, UserKey key, int quantity, long userSlot,
      long bought, long remaining, long now, long payWithinMillis, @Nullable UserKey requestKey,
      long fingerprint) {
    if (reservations.count() >= reservations.maxEntries()) {
      return reject(Rejection.OVERLOADED); // the reservations bound
    }
    long seq = appliedSeq + 1;
    long orderId = orderIdOf(seq);
    long entry = reservations.find(orderId);
    if (entry >= 0 || entry == Long.MIN_VALUE) {
      return reject(Rejection.OVERLOADED); // no free slot (or a stale entry: never expected)
    }
    long remainingAfter = remaining - quantity;
    long ordersAfter = sale.ordersForWriter() + 1;
    long heldAfter = sale.heldForWriter() + quantity;
    long paid = sale.paidForWriter();
    long unitsAfter = bought + quantity;
    long deadline = now + payWithinMillis;
    OrderRecord r = orderRecord(1, orderId, now, remainingAfter, ordersAfter, sale, quantity,
        unitsAfter, userId, requestKey);
    r.deadlineMillis = deadline;
    r.heldAfter = heldAfter;
    r.paidAfter = paid;
    r.refHash = 0;
    r.state = OrderState.RESERVED.ordinal();
    r.version = 1;
    r.userHi = key.hi;
    r.userLo = key.lo;
    boolean recordWritten = false;
    boolean entryWritten = false;
    long requestEntry = -1;
    try {
      assert journal.nextSeq() == seq : "journal at " + journal.nextSeq() + ", order seq " + seq;
      faults.afterWrite(1);
      boolean appended = journal.append(r); // 1. the record of truth
      r.type = 0;
      if (!appended) {
        return reject(Rejection.OVERLOADED);
      }
      recordWritten = true;
      probeAfter(1);
      if (requestKey != null) { // 1b. the request id (re-inserted by replay from the record)
        requestEntry = requests.insert(requestKey, orderId, fingerprint);
      }
      reservations.insert(-1 - entry, orderId, deadline, key, sale.index(), quantity,
          OrderState.RESERVED, 1, 0, 0); // 2. the reservation
      entryWritten = true;
      faults.afterWrite(2);
      if (userSlot >= 0) { // 3. the buyer's units
        users.setUnits(userSlot, unitsAfter);
      } else {
        users.insert(-1 - userSlot, key, unitsAfter);
      }
      recordWritten = false;
      entryWritten = false;
      probeAfter(2);
      markDirty(sale.index());
      appliedSeq = seq;
      sale.lastOrderSeq = seq;
      deadlines.push(deadline, orderId);
      sale.applyCounters(remainingAfter, ordersAfter, heldAfter, paid);
      return orderId;
    } catch (ProbeCrash c) {
      throw c.crash;
    } catch (Throwable t) {
      r.type = 0;
      if (entryWritten) {
        reservations.remove(-1 - entry);
      }
      if (recordWritten) {
        requests.undo(requestEntry);
        undoRecord(seq);
      }
      return writeFailed(t);
    }
  }

  /**
   * Pays ({@code pay}) or cancels a reservation, answering what happened; expires it first if
   * its deadline has passed ({@code now >= deadline}, by the engine's clock). Writer thread only.
   */
  OrderTransition transition(long orderId, boolean pay, long refHash) {
    assert onWriterThread() : "transition called off the ledger writer thread";
    long slot = reservations.find(orderId);
    if (slot < 0) {
      return new OrderTransition(orderId, OrderTransition.Outcome.UNKNOWN_ORDER, null);
    }
    OrderState state = reservations.state(slot);
    long now = config.clock().millis();
    if (state == OrderState.RESERVED && now >= reservations.deadline(slot)) {
      if (!changeState(slot, OrderState.EXPIRED, now, 0)) {
        return new OrderTransition(orderId, OrderTransition.Outcome.OVERLOADED, state);
      }
      expiredCount++;
      return new OrderTransition(orderId, OrderTransition.Outcome.TOO_LATE, OrderState.EXPIRED);
    }
    OrderState target = pay ? OrderState.PAID : OrderState.CANCELLED;
    if (state == OrderState.RESERVED) {
      if (!changeState(slot, target, now, pay ? refHash : 0)) {
        return new OrderTransition(orderId, OrderTransition.Outcome.OVERLOADED, state);
      }
      return new OrderTransition(orderId, OrderTransition.Outcome.APPLIED, target);
    }
    if (state == OrderState.EXPIRED) {
      return new OrderTransition(orderId, OrderTransition.Outcome.TOO_LATE, state);
    }
    if (state == target && (!pay || reservations.refHashOf(slot) == refHash)) {
      return new OrderTransition(orderId, OrderTransition.Outcome.ALREADY_IN_STATE, state);
    }
    return new OrderTransition(orderId, OrderTransition.Outcome.CONFLICT, state);
  }

  /** {@link #transition} answered into a ring slot. Writer thread only. */
  void transition(PurchaseEvent event) {
    event.transition = transition(event.orderId, event.kind == PurchaseEvent.Kind.PAY,
        event.refHash);
  }

  /** Most reservations one tick expires: bounds the writer's pause. */
  static final int TICK_BATCH = 1024;
  /** Table slots one tick's reclaim sweep examines. */
  static final int SWEEP_BUDGET = 1024;

  /**
   * Expires up to {@link #TICK_BATCH} reservations whose deadline is at or before now (by the
   * engine's clock), earliest first, then reclaims terminal entries past their retention among
   * the next {@link #SWEEP_BUDGET} slots. Writer thread only. Returns how many expired.
   */
  int tick() {
    assert onWriterThread() : "tick called off the ledger writer thread";
    tickPending.set(false);
    long now = config.clock().millis();
    int expired = 0;
    while (expired < TICK_BATCH && deadlines.minDeadline() <= now) {
      long orderId = deadlines.minOrderId();
      long slot = reservations.find(orderId);
      if (slot >= 0 && reservations.state(slot) == OrderState.RESERVED
          && reservations.deadline(slot) <= now) {
        if (!changeState(slot, OrderState.EXPIRED, now, 0)) {
          break; // the journal has no room now: the next tick retries
        }
        expired++;
      }
      deadlines.pop();
    }
    expiredCount += expired;
    if (reservations.count() > 0) {
      reservations.sweep(now, config.reservationRetentionMillis(), deadlines.minDeadline(),
          SWEEP_BUDGET);
    }
    return expired;
  }

  /**
   * Claims the right to publish a tick (none is pending): the timer thread, or the writer when a
   * tick left a backlog; a compare-and-set, so the two never both claim.
   */
  boolean claimTick() {
    return tickPending.compareAndSet(false, true);
  }

  /** Gives back a claimed tick that could not be published (a full ring). */
  void unclaimTick() {
    tickPending.set(false);
  }

  /** Reservations expired since open. Writer thread, or after it stopped. */
  long expiredCount() {
    return expiredCount;
  }

  /** Reservations and their deadlines: test access. */
  ReservationTable reservations() {
    return reservations;
  }

  /** The deadline heap's size: test access. */
  int pendingDeadlines() {
    return deadlines.size();
  }

  /**
   * Moves RESERVED entry {@code slot} to {@code target}. Writes, in order: (1) the type 2/3/4
   * journal record with every value after the change (remaining, held, paid, the buyer's units,
   * the order's state and version), (2) the entry's state, (3) the buyer's units if the release
   * gives the quota back; then publishes the counters (a release clears the sold-out flag).
   * Replay of (1) sets the same values, so a crash at any point gives stock back at most once.
   *
   * @return false if nothing was written (the journal is full, or a write failed and was undone)
   */
  private boolean changeState(long slot, OrderState target, long now, long refHash) {
    int saleIndex = reservations.saleIndex(slot);
    SaleState sale = sales.get(saleIndex);
    int quantity = reservations.quantity(slot);
    boolean release = target != OrderState.PAID;
    // Cluster mode: a released unit goes back to the coordinator's pool when the change is
    // settled (any node may sell it then), never to this node's local lease, whose units the
    // coordinator counts as granted − used and which the writer must not grow on its own.
    boolean localReturn = release && !sale.clustered;
    long remainingAfter = sale.remainingForWriter() + (localReturn ? quantity : 0);
    long heldAfter = sale.heldForWriter() - quantity;
    long paidAfter = sale.paidForWriter() + (release ? 0 : quantity);
    reservations.key(slot, reservationKey);
    long userSlot = users.find(reservationKey);
    long units = userSlot >= 0 ? users.units(userSlot) : 0;
    long unitsAfter = release && sale.sale().releaseRestoresLimit()
        ? Math.max(0, units - quantity) : units;
    int version = reservations.version(slot) + 1;
    long seq = appliedSeq + 1;
    OrderRecord r = scratch;
    r.type = target == OrderState.PAID ? 2 : target == OrderState.CANCELLED ? 3 : 4;
    r.orderId = reservations.orderId(slot);
    r.confirmedAtMillis = now;
    r.stockAfter = remainingAfter;
    r.saleOrdersAfter = sale.ordersForWriter();
    r.saleIndex = saleIndex;
    r.quantity = quantity;
    r.userUnitsAfter = (int) unitsAfter;
    r.userId.setLength(0);
    r.deadlineMillis = reservations.deadline(slot);
    r.heldAfter = heldAfter;
    r.paidAfter = paidAfter;
    r.refHash = refHash;
    r.state = target.ordinal();
    r.version = version;
    r.userHi = reservationKey.hi;
    r.userLo = reservationKey.lo;
    boolean recordWritten = false;
    try {
      assert journal.nextSeq() == seq : "journal at " + journal.nextSeq() + ", change seq " + seq;
      faults.afterWrite(1);
      boolean appended = journal.append(r); // 1. the record of truth
      r.type = 0;
      if (!appended) {
        return false;
      }
      recordWritten = true;
      probeAfter(1);
      reservations.setState(slot, target, version, refHash, now); // 2. the entry
      if (unitsAfter != units && userSlot >= 0) {
        users.setUnits(userSlot, unitsAfter); // 3. the quota back
      }
      probeAfter(2);
      markDirty(saleIndex);
      appliedSeq = seq;
      sale.lastOrderSeq = seq; // archiving waits for state changes to be stored too
      sale.applyCounters(remainingAfter, sale.ordersForWriter(), heldAfter, paidAfter);
      return true;
    } catch (ProbeCrash c) {
      throw c.crash;
    } catch (Throwable t) {
      r.type = 0;
      if (recordWritten) {
        undoRecord(seq); // the entry's state word is written last: still RESERVED
      }
      writeFailed(t);
      return false;
    }
  }

  /** For the assert in {@link #decide}: true if {@code key} is the key of the pair. */
  private boolean keyOf(SaleState sale, String userId, UserKey key) {
    UserKey check = new UserKey();
    users.keys().hash(sale.keyIndex(), userId, check);
    return check.hi == key.hi && check.lo == key.lo;
  }

  /**
   * {@link #decide(SaleState, String, UserKey, int)} with the answer given to {@code out} instead
   * of encoded in the returned {@code long}: the ledger's encoding stays in this class. Writer
   * thread only; as allocation-free as the other form.
   */
  void decide(SaleState sale, String userId, UserKey key, int quantity, DecisionSink out) {
    decide(sale, userId, key, quantity, null, out);
  }

  /** {@link #decide(SaleState, String, UserKey, int, UserKey)}, answered to {@code out}. */
  void decide(SaleState sale, String userId, UserKey key, int quantity,
      @Nullable UserKey requestKey, DecisionSink out) {
    long decision = decide(sale, userId, key, quantity, requestKey);
    if (isConfirmed(decision)) {
      out.confirmed(decision);
    } else {
      out.rejected(rejectionOf(decision));
    }
  }

  /** {@link #decide(SaleState, String, int)}, answered to {@code out}. Writer thread only. */
  public void decide(SaleState sale, String userId, int quantity, DecisionSink out) {
    users.keys().hash(sale.keyIndex(), userId, ownKey);
    decide(sale, userId, ownKey, quantity, out);
  }

  /**
   * The secret key buyers' keys are hashed with: callers compute a purchase's {@link UserKey}
   * with it on their own thread. Immutable; any thread.
   */
  UserKeys userKeys() {
    return users.keys();
  }

  /**
   * Computes the request key of ({@code sale}, {@code requestId}) into {@code out}: the same keyed
   * hash as buyers' keys, in its own domain. Immutable keys; any thread.
   */
  void requestKey(SaleState sale, CharSequence requestId, UserKey out) {
    users.keys().hash(sale.keyIndex() | RequestTable.DOMAIN, requestId, out);
  }

  /**
   * Caller threads: the order id remembered for the request key {@code requestKey} of a purchase
   * by the user with key {@code userKey} of {@code quantity} units, or 0 (see
   * {@link RequestTable#recall}).
   */
  long recall(UserKey requestKey, UserKey userKey, int quantity) {
    return requests.recall(requestKey, RequestTable.fingerprint(userKey, quantity));
  }

  /**
   * Test seam: sets a sale's remaining-stock counter in the counters map, as a crash between an
   * operation's catalog write and its counters write leaves it.
   */
  void putRemainingCounterForTest(int saleIndex, long remaining) {
    counters.put(remainingKey(saleIndex), remaining);
  }

  /** Test access to the request table. */
  RequestTable requests() {
    return requests;
  }

  /** Takes back the journal record of a confirmation whose user write failed. */
  private void undoRecord(long seq) {
    try {
      journal.undoLast();
    } catch (RuntimeException | Error e) {
      // The record stays above the watermark and is never flushed; the next order takes the
      // same sequence number and overwrites it. A crash first would replay it: logged loudly.
      log.error("seckill ledger shard {}: could not take back the journal record of failed order"
          + " seq {}", config.shardIndex(), seq, e);
    }
  }

  private long writeFailed(Throwable t) {
    long n = ++writeFailures;
    if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, ...: visible without flooding the log
      log.warn("seckill ledger shard {}: a ledger write failed ({} so far); the purchase is refused"
          + " with OVERLOADED", config.shardIndex(), n, t);
    }
    return reject(Rejection.OVERLOADED);
  }

  /** Purchases refused because a ledger write failed. Writer thread, or after it stopped. */
  public long writeFailures() {
    return writeFailures;
  }

  /** Test access to the users table. */
  UserTable users() {
    return users;
  }

  /** Test access to the journal (the record of truth). */
  OrderJournal journal() {
    return journal;
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
      counterWriter.put(remainingKey(index), sale.remainingForWriter()); // 3. set, replayable
      counterWriter.put(ordersKey(index), sale.ordersForWriter());
    }
    // Cleared only once every write succeeded: a failed checkpoint is retried whole by the next.
    for (int i = 0; i < dirtyCount; i++) {
      dirty[dirtySales[i]] = false;
    }
    dirtyCount = 0;
    probe.afterWrite(3);
    counterWriter.put(WATERMARK_KEY, appliedSeq); // 4. watermark last
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
    users.keys().hash(sale.keyIndex(), userId, ownKey);
    long slot = users.find(ownKey);
    return slot >= 0 ? users.units(slot) : 0;
  }

  /** The highest applied order sequence number; the next order takes the one after it. */
  public long appliedSeq() {
    return appliedSeq;
  }

  /** The engine's clock. */
  java.time.Clock clock() {
    return config.clock();
  }

  /** The directory holding this shard's ledger files. */
  public Path directory() {
    return config.directory();
  }

  /**
   * Orders confirmed and not yet stored in the sink (published sequence minus the flushed
   * watermark). Safe from any thread.
   */
  public long outboxSize() {
    return outbox.size();
  }

  /** The highest order sequence fully applied, as published by the writer. Any thread. */
  public long publishedSeq() {
    return (long) PUBLISHED_SEQ.getAcquire(this);
  }

  /** The order id of sequence number {@code seq} on this shard. */
  public long orderIdOfSeq(long seq) {
    return orderIdOf(seq);
  }

  /**
   * The outbox: the reading side of the journal, owned by the flusher thread (which binds it),
   * or by whoever reads it while no flusher runs.
   */
  OrderJournalReader outbox() {
    return outbox;
  }

  /**
   * Maps a per-shard sequence number to an engine-wide order id: ids interleave by shard. In
   * cluster mode the node id fills the top 16 bits: {@code (nodeId << 48) | localId}, so ids are
   * unique across the cluster; {@link #localId} takes them off again. A local id stays below
   * 2^48 (2.8 × 10^14 orders per data directory).
   */
  private long orderIdOf(long seq) {
    return ((long) config.nodeId() << 48) | ((seq - 1) * config.shardCount() + config.shardIndex() + 1);
  }

  /** The low 48 bits of an order id: the id without its node, as routing to a shard needs. */
  static long localId(long orderId) {
    return orderId & LOCAL_ID_MASK;
  }

  /** Bits of an order id below the node id. */
  static final long LOCAL_ID_MASK = (1L << 48) - 1;

  /** The journal sequence of one of this shard's order ids. */
  long seqOfOrderId(long orderId) {
    return (localId(orderId) - 1 - config.shardIndex()) / config.shardCount() + 1;
  }

  /** True if this ledger belongs to a clustered engine (a node id is set). */
  boolean clustered() {
    return config.nodeId() != 0;
  }

  /**
   * Applies the sink's voids of one flushed batch (a {@link PurchaseEvent.Kind#VOIDS} event):
   * each buyer's units go down by the order's quantity (never below 0), so the buyer may buy
   * again; a LIMIT_REACHED void of a cluster sale also gives its units back to the local lease,
   * but only if the order was sold under the lease that is live now (its sequence is after the
   * lease began): a lease obtained later was sized from the coordinator's figures, which already
   * count those units as unused. A LEASE_LOST void gives nothing back: the lease is gone. A
   * voided reservation of a cluster sale ends in state VOIDED (its held, or paid, units leave the sale's
   * counters; paying or cancelling it then answers CONFLICT); one cancelled or expired before
   * its void stays so (its change reaches the coordinator, which finds no stored order and moves
   * nothing). These writes are not journalled; a crash before this event is applied leaves the
   * units counted (the buyer may buy fewer, never more) and the reservation RESERVED until it
   * expires, which then gives nothing to anyone (docs/cluster.md). Writer thread only.
   */
  void applyVoids(List<OutboxFlusher.VoidEntry> voids) {
    assert onWriterThread() : "applyVoids called off the ledger writer thread";
    for (OutboxFlusher.VoidEntry v : voids) {
      SaleState sale = liveSale(v.order().saleId());
      if (sale == null) {
        continue; // archived since: nothing to give back
      }
      int quantity = v.order().quantity();
      users.keys().hash(sale.keyIndex(), v.order().userId(), ownKey);
      long slot = users.find(ownKey);
      if (slot >= 0) {
        users.setUnits(slot, Math.max(0, users.units(slot) - quantity));
      }
      if (sale.clustered && sale.sale().payWithin() != null) {
        voidReservation(sale, v.order().orderId());
      }
      if (sale.clustered && v.reason() == dev.seckill.spi.VoidedOrder.Reason.LIMIT_REACHED
          && sale.leaseLive && seqOfOrderId(v.order().orderId()) > sale.leaseStartSeq) {
        addRemaining(sale, quantity);
      }
    }
  }

  /**
   * The sale of this ledger with id {@code saleId}, unless it is archived; null if none. A
   * linear scan (a shard holds few sales; callers are rare: voids, released reservations). Any
   * thread: the list is copy-on-write.
   */
  @Nullable SaleState liveSale(String saleId) {
    for (SaleState s : sales) {
      if (!s.isArchived() && s.sale().id().equals(saleId)) {
        return s;
      }
    }
    return null;
  }

  /** Ends a voided reservation's entry (see {@link #applyVoids}). Writer thread only. */
  private void voidReservation(SaleState sale, long orderId) {
    long slot = reservations.find(orderId);
    if (slot < 0) {
      return;
    }
    OrderState state = reservations.state(slot);
    if (state != OrderState.RESERVED && state != OrderState.PAID) {
      return; // cancelled or expired already: nothing is held or paid
    }
    int quantity = reservations.quantity(slot);
    boolean paid = state == OrderState.PAID;
    reservations.setState(slot, OrderState.VOIDED, reservations.version(slot), 0,
        config.clock().millis());
    sale.applyCounters(sale.remainingForWriter(), sale.ordersForWriter(),
        sale.heldForWriter() - (paid ? 0 : quantity), sale.paidForWriter() - (paid ? quantity : 0));
    markDirty(sale.index());
  }

  /**
   * Cluster mode: applies one change of a sale's local lease for the cluster thread and sets its
   * answer ({@link LeaseOp#result}).
   *
   * <p><b>Single-writer rule.</b> A clustered sale's remaining units are the node's local lease,
   * and this thread (the shard's ledger writer) is their only writer, exactly as for a sale that
   * is not clustered: the cluster thread never changes them itself, it publishes a
   * {@link LeaseOp} on the ring and waits for the answer. So a decision and a lease change never
   * race: STOP takes effect between two decisions, and no request decided after it sells; SET
   * replaces the remaining units only after STOP and a settled outbox; TAKE removes units the
   * writer has not sold. The lease deadline is the one value the cluster thread writes that the
   * writer reads ({@link SaleState#leaseDeadlineNanos}, volatile): moving it back can only stop
   * sales.
   */
  void leaseOp(LeaseOp op) {
    assert onWriterThread() : "leaseOp called off the ledger writer thread";
    SaleState sale = op.sale;
    long remaining = sale.remainingForWriter();
    switch (op.kind) {
      case STOP -> {
        sale.leaseLive = false;
        setRemaining(sale, 0);
        op.result = sale.lastOrderSeq;
      }
      case SET -> {
        sale.leaseLive = true;
        sale.leaseStartSeq = appliedSeq;
        setRemaining(sale, op.units);
        op.result = op.units;
      }
      case ADD -> {
        if (sale.leaseLive) {
          addRemaining(sale, op.units);
        }
        op.result = sale.remainingForWriter();
      }
      case TAKE -> {
        long taken = Math.min(Math.max(0, op.units), remaining);
        setRemaining(sale, remaining - taken);
        op.result = taken;
      }
      default -> throw new IllegalArgumentException("unknown lease op " + op.kind);
    }
  }

  private void addRemaining(SaleState sale, long units) {
    setRemaining(sale, sale.remainingForWriter() + units);
  }

  private void setRemaining(SaleState sale, long remaining) {
    sale.applyCounters(remaining, sale.ordersForWriter(), sale.heldForWriter(),
        sale.paidForWriter());
    markDirty(sale.index());
  }

  private Long remainingKey(int saleIndex) {
    return counterKey(2 * saleIndex);
  }

  private Long ordersKey(int saleIndex) {
    return counterKey(2 * saleIndex + 1);
  }

  /** Counter key {@code k}, boxed once: the checkpoint's puts then allocate nothing. */
  private Long counterKey(int k) {
    Long key = counterKeys[k];
    if (key == null) {
      key = (long) k;
      counterKeys[k] = key;
    }
    return key;
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
   *
   * @return false if a live writer did not stop in time
   */
  private boolean awaitWriterStopped() {
    boolean stopped = true;
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    Thread w;
    while ((w = writer) != null && w != Thread.currentThread()) {
      if (!w.isAlive()) {
        break;
      }
      if (System.nanoTime() - deadline >= 0) {
        log.warn("seckill ledger shard {}: the writer thread did not stop within 10 s; closing anyway",
            config.shardIndex());
        stopped = false;
        break;
      }
      Thread.yield();
    }
    writer = null;
    journal.releaseWriter();
    return stopped;
  }

  /**
   * Test seam: closes the maps as a crash would leave them (no clean-shutdown marker), so the
   * next open goes through recovery.
   */
  void abandon() {
    closed = true;
    users.abandon();
    reservations.close();
    requests.abandon();
    counters.close();
    journal.close();
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
    boolean writerStopped = awaitWriterStopped();
    checkpoint();
    closed = true;
    users.close();
    reservations.close();
    requests.close();
    counters.close();
    if (writerStopped) {
      journal.close();
    } // else a writer that may still append keeps the mapping; the garbage collector unmaps it
    Path marker = config.directory().resolve(CLEAN_MARKER);
    Files.write(marker, new byte[0]);
    Fsync.file(marker);
    Fsync.directory(config.directory());
  }
}
