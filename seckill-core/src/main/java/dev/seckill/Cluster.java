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

import dev.seckill.spi.StockCoordinator;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Cluster mode: the settings under which several engines (JVMs, each with its own data
 * directory) sell the same sales together, through one shared {@link StockCoordinator} that
 * holds each sale's stock in a pool (docs/cluster.md). Given to
 * {@link SeckillEngine.Builder#cluster(Cluster)}. Immutable and thread-safe.
 *
 * <h2>How an engine sells in cluster mode</h2>
 * <ul>
 *   <li><b>Node id.</b> On the first start of a data directory the engine asks
 *       {@link StockCoordinator#newNodeId()} and stores the id with the directory's fixed
 *       settings; later starts use the stored id (whatever the coordinator would answer now).
 *       Order ids are {@code (nodeId << 48) | localId}, so they are unique across the cluster.
 *       A clustered directory cannot be opened without a cluster, nor the other way round.
 *   <li><b>Leases.</b> Every sale of a clustered engine is a cluster sale: registering it calls
 *       {@link StockCoordinator#openSale} on the caller's thread, and the sale is registered
 *       locally with 0 units. The engine's cluster thread ({@code seckill-cluster}) leases
 *       chunks of the pool, sized from the node's recent sales ({@link #chunkTarget()} of them,
 *       {@link #initialChunk()} before a rate is known, at most half the free pool divided by
 *       the nodes holding leases), renews the lease every {@code leaseTtl / 3}, gives idle units
 *       back when another node starves, and releases the lease when the sale ends or the engine
 *       closes (after the flusher has settled the sale's orders, within {@code closeTimeout}).
 *   <li><b>Local deadline.</b> After a successful lease call that started at {@code t0}
 *       ({@code System.nanoTime()}), the node sells until {@code t0 + leaseTtl·(1 − ρ) − δ}
 *       ({@link #maxClockDrift()} ρ, {@link #safetyMargin()} δ); the ledger writer checks it per
 *       decision. The coordinator revokes the lease only at its own expiry plus
 *       {@link #reapGrace()}. Only clock rates matter: wall clocks are never compared.
 *   <li><b>After a lost lease</b> (the deadline passed without a renewal, or the coordinator
 *       revoked it) the node stops selling the sale and asks for a new lease only once its
 *       flusher has settled (stored or voided) every order sold before, so orders of one lease
 *       are never settled against another. Orders the coordinator's fenced sink voids are
 *       refused to their buyers ({@link Rejection#VOIDED}, {@link Rejection#LIMIT_REACHED}).
 *   <li><b>Refusals when the node's lease is empty:</b> {@link Rejection#SOLD_OUT} only when
 *       the coordinator said no unit is left anywhere; {@link Rejection#LEASED_ELSEWHERE} while
 *       units sit in other nodes' leases or more can come; {@link Rejection#COORDINATOR_UNAVAILABLE}
 *       while the node holds no valid lease.
 *   <li><b>The reaper:</b> every {@code leaseTtl} each node asks the coordinator to revoke the
 *       leases expired for longer than {@link #reapGrace()} (a crashed node's units go back to
 *       the pool).
 * </ul>
 *
 * <p>What a node shows: {@link SeckillEngine#saleView} and {@link SeckillEngine#snapshot} count
 * the node's own local lease as the remaining units and its own orders; the cluster's figures are
 * the coordinator's. Ending a sale ({@link SeckillEngine#endSale}) releases the node's lease once
 * its orders are settled; extending it again leases anew.
 *
 * <p>Reservations ({@link Sale#payWithin()}): a reservation settles like an order; paying it
 * changes its state only; a cancelled or expired one gives its units back to the coordinator's
 * pool when its change is stored, never to the node's local lease, so any node may sell them
 * again (each at its next lease call). The per-user limit is not given back.
 *
 * <p>Not supported in cluster mode, refused with a clear message: durability other than
 * {@link Durability#PERSISTED} (a buyer must not be told before the coordinator's fence has
 * counted the order); an {@code orderSink} set on the builder (the coordinator's
 * {@link StockCoordinator#sink(int)} is the sink); sales with {@link Sale#releaseRestoresLimit()}
 * (the coordinator's per-user row never goes down); {@link SeckillEngine#addStock} (the stock is
 * the coordinator's pool).
 */
public final class Cluster {
  /** Default {@link #leaseTtl()}: 10 seconds. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);
  /** Smallest {@link #leaseTtl()}: 100 ms. */
  public static final Duration MIN_LEASE_TTL = Duration.ofMillis(100);
  /** Largest {@link #leaseTtl()}: 1 hour. */
  public static final Duration MAX_LEASE_TTL = Duration.ofHours(1);
  /** Default {@link #maxClockDrift()}: 0.01 (1%). */
  public static final double DEFAULT_MAX_CLOCK_DRIFT = 0.01;
  /** Default {@link #safetyMargin()}: 100 ms. */
  public static final Duration DEFAULT_SAFETY_MARGIN = Duration.ofMillis(100);
  /** Default {@link #chunkTarget()}: 2 seconds of the node's recent sales. */
  public static final Duration DEFAULT_CHUNK_TARGET = Duration.ofSeconds(2);
  /** Default {@link #initialChunk()}: 100 units. */
  public static final int DEFAULT_INITIAL_CHUNK = 100;

  private final StockCoordinator coordinator;
  private final Duration leaseTtl;
  private final Duration reapGrace;
  private final double maxClockDrift;
  private final Duration safetyMargin;
  private final Duration chunkTarget;
  private final int initialChunk;

  private Cluster(Builder b) {
    this.coordinator = b.coordinator;
    this.leaseTtl = b.leaseTtl;
    this.reapGrace = b.reapGrace != null ? b.reapGrace : b.leaseTtl;
    this.maxClockDrift = b.maxClockDrift;
    this.safetyMargin = b.safetyMargin;
    this.chunkTarget = b.chunkTarget;
    this.initialChunk = b.initialChunk;
  }

  /**
   * Starts cluster settings over {@code coordinator}, every other setting at its default.
   *
   * @param coordinator the shared authority over the stock; not null. The engine does not close
   *     it: its owner does, after closing every engine using it
   * @return a builder
   * @throws NullPointerException if {@code coordinator} is null
   */
  public static Builder builder(StockCoordinator coordinator) {
    return new Builder(Objects.requireNonNull(coordinator, "coordinator"));
  }

  /**
   * The shared authority over the stock.
   *
   * @return the coordinator; never null
   */
  public StockCoordinator coordinator() {
    return coordinator;
  }

  /**
   * How long a lease lasts without a renewal, by the coordinator's clock; the node renews every
   * third of it.
   *
   * @return the lease's time to live, 100 ms to 1 hour
   */
  public Duration leaseTtl() {
    return leaseTtl;
  }

  /**
   * How long after its expiry a lease stays in force before a reaper may revoke it.
   *
   * @return the grace, not negative; {@link #leaseTtl()} unless set
   */
  public Duration reapGrace() {
    return reapGrace;
  }

  /**
   * ρ: the most a node's elapsed-time clock may run slow against the coordinator's, as a
   * fraction; the local deadline is shortened by {@code leaseTtl·ρ}.
   *
   * @return 0 to 0.5
   */
  public double maxClockDrift() {
    return maxClockDrift;
  }

  /**
   * δ: taken off the local deadline on top of the drift, for the time between the coordinator's
   * commit and the node's reading of its answer being counted from the request's start.
   *
   * @return the margin, less than {@code leaseTtl·(1 − ρ)}
   */
  public Duration safetyMargin() {
    return safetyMargin;
  }

  /**
   * How much of the node's recent sales a chunk holds: chunk = recent rate × this (clamped to 1
   * and to half the free pool shared among the nodes holding leases).
   *
   * @return the target, positive
   */
  public Duration chunkTarget() {
    return chunkTarget;
  }

  /**
   * The units of a sale's first chunk on a node, before a rate of sales is known.
   *
   * @return 1 or more
   */
  public int initialChunk() {
    return initialChunk;
  }

  /** The local deadline's length: {@code leaseTtl·(1 − ρ) − δ}, in nanoseconds; positive. */
  long localLeaseNanos() {
    return (long) (leaseTtl.toNanos() * (1 - maxClockDrift)) - safetyMargin.toNanos();
  }

  @Override
  public String toString() {
    return "Cluster{leaseTtl=" + leaseTtl + ", reapGrace=" + reapGrace + ", maxClockDrift="
        + maxClockDrift + ", safetyMargin=" + safetyMargin + ", chunkTarget=" + chunkTarget
        + ", initialChunk=" + initialChunk + '}';
  }

  /**
   * Builds {@link Cluster} settings; each setting may be set once. Not thread-safe.
   */
  public static final class Builder {
    private final StockCoordinator coordinator;
    private Duration leaseTtl = DEFAULT_LEASE_TTL;
    private @Nullable Duration reapGrace;
    private double maxClockDrift = DEFAULT_MAX_CLOCK_DRIFT;
    private Duration safetyMargin = DEFAULT_SAFETY_MARGIN;
    private Duration chunkTarget = DEFAULT_CHUNK_TARGET;
    private int initialChunk = DEFAULT_INITIAL_CHUNK;

    private Builder(StockCoordinator coordinator) {
      this.coordinator = coordinator;
    }

    /**
     * Sets how long a lease lasts without a renewal (default 10 s).
     *
     * @param leaseTtl 100 ms to 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range (naming the value)
     */
    public Builder leaseTtl(Duration leaseTtl) {
      this.leaseTtl = Require.between("leaseTtl", Objects.requireNonNull(leaseTtl, "leaseTtl"),
          MIN_LEASE_TTL, MAX_LEASE_TTL);
      return this;
    }

    /**
     * Sets how long after its expiry a lease stays in force before it is reaped (default: the
     * lease's time to live).
     *
     * @param reapGrace 0 to 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range (naming the value)
     */
    public Builder reapGrace(Duration reapGrace) {
      this.reapGrace = Require.between("reapGrace", Objects.requireNonNull(reapGrace, "reapGrace"),
          Duration.ZERO, MAX_LEASE_TTL);
      return this;
    }

    /**
     * Sets ρ, the largest relative rate error of a node's elapsed-time clock (default 0.01).
     *
     * @param maxClockDrift 0 to 0.5
     * @return this builder
     * @throws IllegalArgumentException if out of range or not a number (naming the value)
     */
    public Builder maxClockDrift(double maxClockDrift) {
      if (!(maxClockDrift >= 0 && maxClockDrift <= 0.5)) {
        throw new IllegalArgumentException("maxClockDrift must be 0 to 0.5, was " + maxClockDrift);
      }
      this.maxClockDrift = maxClockDrift;
      return this;
    }

    /**
     * Sets δ, the safety margin taken off the local deadline (default 100 ms); it must stay
     * below {@code leaseTtl·(1 − ρ)}, checked by {@link #build()}.
     *
     * @param safetyMargin 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative (naming the value)
     */
    public Builder safetyMargin(Duration safetyMargin) {
      this.safetyMargin = Require.between("safetyMargin",
          Objects.requireNonNull(safetyMargin, "safetyMargin"), Duration.ZERO, MAX_LEASE_TTL);
      return this;
    }

    /**
     * Sets how many seconds of the node's recent sales a chunk holds (default 2 s).
     *
     * @param chunkTarget 1 ms to 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range (naming the value)
     */
    public Builder chunkTarget(Duration chunkTarget) {
      this.chunkTarget = Require.between("chunkTarget",
          Objects.requireNonNull(chunkTarget, "chunkTarget"), Duration.ofMillis(1), MAX_LEASE_TTL);
      return this;
    }

    /**
     * Sets the units of a sale's first chunk on a node (default 100).
     *
     * @param initialChunk 1 to 1,000,000,000
     * @return this builder
     * @throws IllegalArgumentException if out of range (naming the value)
     */
    public Builder initialChunk(int initialChunk) {
      this.initialChunk = (int) Require.between("initialChunk", initialChunk, 1, 1_000_000_000);
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the settings
     * @throws IllegalArgumentException if {@code safetyMargin} is not below
     *     {@code leaseTtl·(1 − maxClockDrift)} (naming the three values)
     */
    public Cluster build() {
      double usable = leaseTtl.toNanos() * (1 - maxClockDrift);
      if (safetyMargin.toNanos() >= usable) {
        throw new IllegalArgumentException("safetyMargin must be less than leaseTtl·(1 − "
            + "maxClockDrift) = " + Duration.ofNanos((long) usable) + " (leaseTtl=" + leaseTtl
            + ", maxClockDrift=" + maxClockDrift + "), was " + safetyMargin);
      }
      return new Cluster(this);
    }
  }
}
