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

import dev.seckill.Operations;
import dev.seckill.spi.OrderSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import org.jspecify.annotations.Nullable;

/**
 * Builds the parts of a running engine from its settings, in numbered stages, and takes them
 * apart again:
 *
 * <ol>
 *   <li>validate: done before, by the builder's {@code validate()}, which produced the
 *       {@link EngineSettings};
 *   <li>JVM flags: refuse to start without the flags Chronicle Map needs;
 *   <li>admission checks (blocklists, throttles, tokens, the policy's guard);
 *   <li>disk space: the files of every shard still to be created are allocated in full, so the
 *       disk must hold them all before anything is created;
 *   <li>open the data directory: lock it, create it or check the settings fixed at creation;
 *   <li>per shard, open its ledger (recovering it after an unclean stop), then start the shard
 *       (ring, ledger writer, responder, flusher);
 *   <li>wire the caller side: the sales restored from the ledgers, the caller gate and the
 *       operator actions;
 *   <li>cluster mode: start the cluster thread ({@link ClusterMember}) over the restored sales.
 * </ol>
 *
 * <p>Cluster mode also changes stages 5 and 6: the data directory gets (first start) or reads
 * the node id, and the flushers store through the coordinator's {@code sink(nodeId)}. At
 * {@link #close} the cluster thread stops first (stop selling, settle, release the leases), while
 * the shards still run.
 *
 * <p>Stages 2 to 5 build nothing that needs undoing if a later one in that range fails (a
 * failed stage 5 releases what it took itself). A failure in stage 6 rolls back in reverse: the
 * ledger opened for a shard that failed to start, the shards started (last first, each closing
 * its ledger), then the data directory. {@link #close} stops a running engine in the same reverse order: shards, the order
 * sink, the data directory.
 *
 * <p>Threads: {@link #assemble} runs on the builder's thread; the parts are safe from any thread
 * as documented on each; {@link #close} once (producers still publishing are answered by each
 * shard's close handshake, {@link Shard#tryPublish}).
 */
final class EngineAssembly {
  private final EngineSettings settings;
  private final DataDirectory dataDir;
  private final Shards shards;
  private final SaleRegistry sales = new SaleRegistry();
  private final CallerGate gate;
  private final Operations operations;
  private final HealthCheck health;
  private final Admission admission;
  /** What the flushers store through: the user's sink, or in cluster mode the coordinator's. */
  private final Optional<FlushSettings> flush;
  /** Cluster mode: the cluster thread; null otherwise. */
  private final @Nullable ClusterMember cluster;

  private EngineAssembly(EngineSettings settings, Admission admission, DataDirectory dataDir,
      Shards shards, Optional<FlushSettings> flush) {
    this.settings = settings;
    this.dataDir = dataDir;
    this.shards = shards;
    this.flush = flush;
    // 7. wire the caller side
    for (int i = 0; i < shards.count(); i++) {
      for (SaleState sale : shards.get(i).ledger().sales()) {
        sales.add(sale);
      }
    }
    this.gate = new CallerGate(admission, sales, settings.clock());
    this.operations = new AdmissionOperations(admission, settings.clock());
    this.admission = admission;
    this.health = new HealthCheck(shards, settings.health(), settings.outboxCapacityPerShard(),
        settings.clock());
    // 8. cluster mode: the cluster thread takes over every sale restored from the ledgers
    if (settings.cluster().isPresent()) {
      ClusterMember member = new ClusterMember(settings.cluster().get(), dataDir.nodeId(), shards,
          settings.clock(), settings.closeTimeout());
      for (int i = 0; i < shards.count(); i++) {
        for (SaleState sale : shards.get(i).ledger().sales()) {
          if (!sale.isArchived()) {
            member.add(sale);
          }
        }
      }
      member.start();
      this.cluster = member;
    } else {
      this.cluster = null;
    }
  }

  /** The settings the engine was built with. */
  EngineSettings settings() {
    return settings;
  }

  /** Cluster mode: the cluster thread; null when not clustered. */
  @Nullable ClusterMember cluster() {
    return cluster;
  }

  /** Cluster mode: this node's id, stored with the data directory; 0 when not clustered. */
  int nodeId() {
    return dataDir.nodeId();
  }

  /**
   * Builds a running engine's parts: stages 2 to 7.
   *
   * @throws IllegalStateException if the JVM lacks the flags Chronicle Map needs, another engine
   *     holds the data directory, or a setting fixed at creation differs
   * @throws UncheckedIOException if the disk lacks room, or the ledger files cannot be opened
   */
  public static EngineAssembly assemble(EngineSettings settings) {
    // 1. validate: the builder did
    JvmFlags.requirePresent(); // 2. JVM flags
    Admission admission = new Admission(settings.admission(), // 3. admission checks
        settings.tokenSecret(), settings.clock(), ForkJoinPool.commonPool());
    requireDiskSpace(settings); // 4. disk space
    DataDirectory dir = openDirectory(settings); // 5. open the data directory
    Optional<FlushSettings> flush = settings.flush();
    Optional<Cluster> cluster = settings.cluster();
    if (cluster.isPresent() && flush.isPresent()) { // the coordinator's fenced sink, node id known
      FlushSettings f = flush.get();
      flush = Optional.of(new FlushSettings(cluster.get().coordinator().sink(dir.nodeId()),
          f.batchSize(), f.maxDelay(), f.initialBackoff(), f.maxBackoff(), f.durability()));
    }
    Shard[] started = new Shard[settings.shards()];
    try {
      for (int i = 0; i < started.length; i++) {
        started[i] = startShard(settings, dir, i, flush); // 6. open ledgers, start shards
      }
    } catch (IOException | RuntimeException e) {
      throw rollback(settings, started, dir, e);
    }
    return new EngineAssembly(settings, admission, dir, new Shards(started), flush);
  }

  /** The engine's clock. */
  public Clock clock() {
    return settings.clock();
  }

  /** How often the reservation timer ticks. */
  Duration reservationTickInterval() {
    return settings.reservationTickInterval();
  }

  /** The shards, started. */
  public Shards shards() {
    return shards;
  }

  /** The sales known: restored from the ledgers, then registered. */
  public SaleRegistry sales() {
    return sales;
  }

  /** The caller-thread decision shared by both submit paths and token issuing. */
  public CallerGate gate() {
    return gate;
  }

  /** The caller-thread admission checks (metrics read their caches' sizes). */
  public Admission admission() {
    return admission;
  }

  /** Decides the engine's health from the shards' figures. */
  public HealthCheck health() {
    return health;
  }

  /** The operator actions. */
  public Operations operations() {
    return operations;
  }

  /**
   * Stops the engine's parts in reverse: drains and closes the shards (letting the flushers store
   * the outbox within the close timeout), closes the order sink, releases the data directory.
   * Goes on past failures.
   *
   * @throws UncheckedIOException if a shard or the sink failed to close, after everything closed
   */
  public void close() {
    IOException failure = null;
    ClusterMember member = cluster;
    if (member != null) { // stop selling, settle, release: needs the shards still running
      member.close(settings.closeTimeout().toNanos());
    }
    try {
      shards.close(settings.closeTimeout().toNanos());
    } catch (IOException e) {
      failure = e;
    }
    Optional<OrderSink> sink = flush.map(FlushSettings::sink);
    if (sink.isPresent()) {
      try {
        sink.get().close();
      } catch (Exception e) {
        IOException wrapped = new IOException("the order sink failed to close", e);
        if (failure == null) {
          failure = wrapped;
        } else {
          failure.addSuppressed(wrapped);
        }
      }
    }
    dataDir.close();
    if (failure != null) {
      throw new UncheckedIOException("could not close the ledger cleanly; the next open recovers", failure);
    }
  }

  /** Stage 4: the disk must hold the files of every shard still to be created (docs/design.md). */
  private static void requireDiskSpace(EngineSettings settings) {
    long needed = 0;
    for (int i = 0; i < settings.shards(); i++) {
      long shard = StockLedger.bytesToCreate(
          settings.ledgerConfig(DataDirectory.shardDirectory(settings.dataDir(), i), i));
      if (shard < 0) {
        return; // this Chronicle version hides its sizing; each shard's creation still checks
      }
      needed += shard;
    }
    try {
      StockLedger.requireSpace(settings.dataDir(), needed, "the ledger files of " + settings.shards()
          + (settings.shards() == 1 ? " shard" : " shards"));
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /** Stage 5: opens the directory, checking the settings fixed when it was created. */
  private static DataDirectory openDirectory(EngineSettings settings) {
    Map<String, String> fixed = new LinkedHashMap<>();
    fixed.put("shards", Integer.toString(settings.shards()));
    fixed.put("maxUsersPerShard", Long.toString(settings.maxUsersPerShard()));
    fixed.put("outboxCapacityPerShard", Long.toString(settings.outboxCapacityPerShard()));
    fixed.put("maxSalesPerShard", Integer.toString(settings.maxSalesPerShard()));
    try {
      Optional<Cluster> cluster = settings.cluster();
      return DataDirectory.open(settings.dataDir(), fixed,
          cluster.isPresent() ? cluster.get().coordinator()::newNodeId : null);
    } catch (IOException e) {
      throw new UncheckedIOException("could not open dataDir " + settings.dataDir(), e);
    }
  }

  /** Stage 6, one shard: its ledger, then the shard; closes the ledger if the shard fails. */
  private static Shard startShard(EngineSettings settings, DataDirectory dir, int index,
      Optional<FlushSettings> flush) throws IOException {
    StockLedger ledger = StockLedger.open(
        settings.ledgerConfig(dir.shardDirectory(index), index, dir.nodeId()));
    try {
      return Shard.start(index, ledger, settings.ringSize(), settings.idleStrategy(), flush);
    } catch (RuntimeException e) {
      ledger.close();
      throw e;
    }
  }

  /**
   * Undoes stages 6 and 5 after {@code failure}, in reverse: the started shards, last first,
   * then the data directory. Returns the exception to throw, further failures suppressed in it.
   */
  private static RuntimeException rollback(EngineSettings settings, Shard[] started,
      DataDirectory dir, Exception failure) {
    for (int i = started.length - 1; i >= 0; i--) {
      if (started[i] != null) {
        try {
          started[i].close();
        } catch (IOException | RuntimeException suppressed) {
          failure.addSuppressed(suppressed);
        }
      }
    }
    dir.close();
    if (failure instanceof IOException io) {
      return new UncheckedIOException("could not open the ledger in " + settings.dataDir() + ": "
          + failure.getMessage(), io);
    }
    return (RuntimeException) failure;
  }
}
