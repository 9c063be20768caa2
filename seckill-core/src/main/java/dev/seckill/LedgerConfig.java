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

import java.nio.file.Path;
import java.time.Clock;

/**
 * What one shard's ledger needs to open: where, which shard of how many, and its bounds.
 *
 * @param directory the shard's own directory under the engine's data dir
 * @param shardIndex this shard, in {@code [0, shardCount)}
 * @param shardCount shards in the engine; order ids interleave across shards
 * @param maxUsers distinct (sale, user) pairs this shard stores before refusing new buyers
 * @param outboxCapacity confirmed orders held in the outbox before refusing new orders
 * @param maxSales sales this shard can hold
 * @param clock the engine's clock, read for confirmation times
 * @param prefault take the page faults of the users table and the journal at open (see
 *     {@code SeckillEngine.Builder.prefaultFiles}) rather than on the writer mid-sale
 * @param maxReservations reservations (live, or terminal within their retention) this shard
 *     holds before refusing new ones; fixed when its reservations table is created
 * @param reservationRetentionMillis how long a terminal reservation stays answerable (pay and
 *     cancel retries) before its entry is reclaimed
 * @param maxRequestIds request ids remembered per generation ({@link RequestTable}); 0 for
 *     tools and tests: an existing table's own bound, or {@link #TEST_MAX_REQUEST_IDS} for a new
 *     one
 * @param requestIdRetentionMillis how long a remembered request id is kept at least
 * @param nodeId cluster mode: the node id stored with the data directory, carried in the top 16
 *     bits of every order id; 0 when not clustered
 */
record LedgerConfig(
    Path directory,
    int shardIndex,
    int shardCount,
    long maxUsers,
    long outboxCapacity,
    int maxSales,
    Clock clock,
    boolean prefault,
    long maxReservations,
    long reservationRetentionMillis,
    long maxRequestIds,
    long requestIdRetentionMillis,
    int nodeId) {

  /** The form without a node id: not clustered (order ids as before cluster mode). */
  LedgerConfig(Path directory, int shardIndex, int shardCount, long maxUsers, long outboxCapacity,
      int maxSales, Clock clock, boolean prefault, long maxReservations,
      long reservationRetentionMillis, long maxRequestIds, long requestIdRetentionMillis) {
    this(directory, shardIndex, shardCount, maxUsers, outboxCapacity, maxSales, clock, prefault,
        maxReservations, reservationRetentionMillis, maxRequestIds, requestIdRetentionMillis, 0);
  }

  /** Default reservations per shard. */
  static final long DEFAULT_MAX_RESERVATIONS = 100_000;
  /** Default retention of a terminal reservation: one hour. */
  static final long DEFAULT_RETENTION_MILLIS = 3_600_000;

  /**
   * A config with the default reservation bounds ({@link #defaultMaxReservations}) and a small
   * request table (tests and tools).
   */
  LedgerConfig(Path directory, int shardIndex, int shardCount, long maxUsers, long outboxCapacity,
      int maxSales, Clock clock, boolean prefault) {
    this(directory, shardIndex, shardCount, maxUsers, outboxCapacity, maxSales, clock, prefault,
        defaultMaxReservations(maxUsers), DEFAULT_RETENTION_MILLIS, 0,
        TEST_REQUEST_ID_RETENTION_MILLIS);
  }

  /** The reservations bound when none is set: {@code maxUsers}, at most 100,000. */
  static long defaultMaxReservations(long maxUsers) {
    return Math.max(16, Math.min(DEFAULT_MAX_RESERVATIONS, maxUsers));
  }

  /** Request ids per generation of a table created by a config that does not say: small. */
  static final long TEST_MAX_REQUEST_IDS = 1024;
  /** Retention when a test's config does not say. */
  static final long TEST_REQUEST_ID_RETENTION_MILLIS = 600_000;

  /** A config whose files are pre-faulted (the default). */
  LedgerConfig(Path directory, int shardIndex, int shardCount, long maxUsers, long outboxCapacity,
      int maxSales, Clock clock) {
    this(directory, shardIndex, shardCount, maxUsers, outboxCapacity, maxSales, clock, true);
  }
}
