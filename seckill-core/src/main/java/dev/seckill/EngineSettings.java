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

import dev.seckill.AdmissionSettings;
import dev.seckill.IdleStrategy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * An engine's settings after the builder's {@code validate()}: checked, defaults resolved, nothing
 * left unset. What {@link EngineAssembly} builds an engine from.
 *
 * @param dataDir where the ledger files live
 * @param clock the one source of time for sale windows and confirmations
 * @param shards number of shards
 * @param ringSize slots in each shard's ring
 * @param idleStrategy how the shards' threads wait for work
 * @param maxUsersPerShard distinct (sale, user) pairs one shard records
 * @param outboxCapacityPerShard confirmed orders one shard's outbox holds
 * @param maxSalesPerShard sales one shard holds
 * @param flush how the flushers drain the outbox into the order sink; empty without a sink
 * @param closeTimeout how long close lets the flushers store the outbox
 * @param admission the admission and anti-abuse settings
 * @param tokenSecret the admission settings' HMAC key (which they keep package-private)
 * @param health when {@link SeckillEngine#health()} reports DEGRADED
 * @param prefaultFiles whether the ledger files are pre-faulted at open
 * @param maxReservationsPerShard reservations one shard's table holds (live or retained)
 * @param reservationRetention how long a terminal reservation stays answerable
 * @param reservationTickInterval how often the timer asks each shard to expire due reservations
 */
// An internal carrier built once by validate() and read by EngineAssembly; never compared, hashed
// or printed, so the array's identity equals and hashCode do not matter.
@SuppressWarnings("ArrayRecordComponent")
record EngineSettings(
    Path dataDir,
    Clock clock,
    int shards,
    int ringSize,
    IdleStrategy idleStrategy,
    long maxUsersPerShard,
    long outboxCapacityPerShard,
    int maxSalesPerShard,
    Optional<FlushSettings> flush,
    Duration closeTimeout,
    AdmissionSettings admission,
    byte[] tokenSecret,
    HealthThresholds health,
    boolean prefaultFiles,
    long maxReservationsPerShard,
    Duration reservationRetention,
    Duration reservationTickInterval,
    long maxRequestIdsPerShard,
    Duration requestIdRetention,
    Optional<Cluster> cluster) {

  /** The ledger configuration of shard {@code index}, whose files live in {@code directory}. */
  public LedgerConfig ledgerConfig(Path directory, int index) {
    return ledgerConfig(directory, index, 0);
  }

  /** {@link #ledgerConfig(Path, int)} for cluster node {@code nodeId} (0: not clustered). */
  public LedgerConfig ledgerConfig(Path directory, int index, int nodeId) {
    return new LedgerConfig(directory, index, shards, maxUsersPerShard, outboxCapacityPerShard,
        maxSalesPerShard, clock, prefaultFiles, maxReservationsPerShard,
        reservationRetention.toMillis(), maxRequestIdsPerShard, requestIdRetention.toMillis(),
        nodeId);
  }
}
