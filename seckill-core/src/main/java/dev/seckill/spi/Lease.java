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
package dev.seckill.spi;

/**
 * One node's lease on part of a sale's stock, as the {@link StockCoordinator} answered it: what
 * the node may sell, and what the rest of the cluster holds. Immutable and thread-safe.
 *
 * @param leaseId the lease's id, unique in the coordinator; 0 when the node holds no lease
 *     ({@code active} false)
 * @param active true if the lease is in force: the coordinator has neither revoked nor ended it
 * @param granted units granted to the lease so far (chunks taken from the pool, less units given
 *     back); at least {@code used}
 * @param used units of the lease settled as sold (orders stored through the node's fenced sink)
 * @param poolFree units of the sale in the pool, leased to nobody
 * @param leasedElsewhere units granted to other nodes' active leases and not yet settled as sold
 *     ({@code granted − used} summed over them)
 * @param activeNodes nodes holding an active lease on the sale, this one included if
 *     {@code active}
 * @param starving true if another node asked for units the pool could not give since this node
 *     last renewed: it should give back units it will not sell soon
 * @param held units of the sale in settled reservations (sales with {@code payWithin}) not yet
 *     paid, cancelled or expired, over every node: they go back to the pool if their
 *     reservations are cancelled or expire; 0 for a sale without reservations
 */
public record Lease(long leaseId, boolean active, long granted, long used, long poolFree,
    long leasedElsewhere, int activeNodes, boolean starving, long held) {

  /**
   * Checks the figures.
   *
   * @param leaseId the lease's id; 0 when not {@code active}
   * @param active true if the lease is in force
   * @param granted units granted to the lease so far
   * @param used units of the lease settled as sold
   * @param poolFree units of the sale leased to nobody
   * @param leasedElsewhere units granted to other nodes' active leases and not yet settled
   * @param activeNodes nodes holding an active lease on the sale
   * @param starving true if another node asked for units the pool could not give
   * @param held units in settled reservations not yet paid, cancelled or expired
   * @throws IllegalArgumentException if a count is negative, {@code used > granted}, or an
   *     active lease has no id
   */
  public Lease {
    if (granted < 0 || used < 0 || poolFree < 0 || leasedElsewhere < 0 || activeNodes < 0
        || held < 0) {
      throw new IllegalArgumentException("lease figures must not be negative: granted=" + granted
          + ", used=" + used + ", poolFree=" + poolFree + ", leasedElsewhere=" + leasedElsewhere
          + ", activeNodes=" + activeNodes + ", held=" + held);
    }
    if (used > granted) {
      throw new IllegalArgumentException("used (" + used + ") must not exceed granted ("
          + granted + ")");
    }
    if (active && leaseId <= 0) {
      throw new IllegalArgumentException("an active lease needs a positive leaseId, was " + leaseId);
    }
  }

  /**
   * A lease of a sale without reservations ({@code held} 0): the form coordinators written
   * before reservations were supported in cluster mode answer with.
   *
   * @param leaseId the lease's id; 0 when not {@code active}
   * @param active true if the lease is in force
   * @param granted units granted to the lease so far
   * @param used units of the lease settled as sold
   * @param poolFree units of the sale leased to nobody
   * @param leasedElsewhere units granted to other nodes' active leases and not yet settled
   * @param activeNodes nodes holding an active lease on the sale
   * @param starving true if another node asked for units the pool could not give
   * @throws IllegalArgumentException as the canonical constructor
   */
  public Lease(long leaseId, boolean active, long granted, long used, long poolFree,
      long leasedElsewhere, int activeNodes, boolean starving) {
    this(leaseId, active, granted, used, poolFree, leasedElsewhere, activeNodes, starving, 0);
  }

  /**
   * Units of the lease not yet settled as sold.
   *
   * @return {@code granted − used}
   */
  public long unsettled() {
    return granted - used;
  }

  /**
   * True if no unit of the sale can ever be sold again by anyone: the pool is empty, no lease,
   * this one included, holds a unit not settled as sold, and no settled reservation can still
   * give units back.
   *
   * @return {@code poolFree == 0 && leasedElsewhere == 0 && granted == used && held == 0}
   */
  public boolean soldOut() {
    return poolFree == 0 && leasedElsewhere == 0 && granted == used && held == 0;
  }

  /**
   * True if nothing is left to sell now, but settled reservations hold units that come back to
   * the pool if they are cancelled or expire: the pool is empty, no lease holds an unsold unit,
   * and {@code held > 0}.
   *
   * @return {@code poolFree == 0 && leasedElsewhere == 0 && granted == used && held > 0}
   */
  public boolean allHeld() {
    return poolFree == 0 && leasedElsewhere == 0 && granted == used && held > 0;
  }
}
