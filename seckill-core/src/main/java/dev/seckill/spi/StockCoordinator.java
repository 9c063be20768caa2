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

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The shared authority over a sale's stock when several engine nodes (JVMs, each with its own
 * data directory) sell it together: cluster mode (docs/cluster.md). The stock lives in a pool
 * held by the coordinator; each node leases chunks of it, sells only leased units, and settles
 * its orders through {@link #sink(int)}, whose store transaction is fenced by the node's lease.
 * The coordinator's clock (for a database: its {@code now()}) is the only clock lease expiry
 * is judged by; nodes judge their own leases by elapsed time ({@code System.nanoTime()}) only.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> Called from the engine's cluster thread ({@code seckill-cluster}) and its
 *       flusher threads (through the sink), never from the ledger writer; calls may overlap, so
 *       an implementation must be thread-safe. Every call may block on I/O.
 *   <li><b>Atomicity.</b> Each method is one transaction in the coordinator: it happens wholly
 *       or not at all. A method that throws may still have happened (a commit whose answer was
 *       lost); every method is safe to call again, and the engine reconciles from the next
 *       answer ({@link Lease#granted()} is the coordinator's figure, not a delta).
 *   <li><b>Conservation.</b> For every sale, at every commit: {@code pool free + Σ granted of
 *       active leases + Σ used of ended leases == stock}. A revoked or ended lease keeps its
 *       {@code used}; its {@code granted − used} went back to the pool.
 *   <li><b>Fence.</b> The sink of node {@code n} stores an order only while node {@code n}
 *       holds an active lease on the order's sale with room for it, in the same transaction that
 *       adds the order's units to the lease's {@code used}; otherwise it voids the order
 *       ({@link VoidedOrder.Reason#LEASE_LOST}). It also holds the per-user limit across nodes,
 *       voiding an order that would exceed it ({@link VoidedOrder.Reason#LIMIT_REACHED}).
 *       An order settled or voided once is answered the same way when offered again.
 * </ul>
 */
public interface StockCoordinator extends AutoCloseable {

  /**
   * Hands out a node id never handed out before by this coordinator. The engine asks once per
   * data directory, on its first start in cluster mode, and stores the answer with the data
   * directory's fixed settings; order ids carry it, so they are unique across the cluster.
   *
   * @return a new node id, 1 to 32,767
   * @throws Exception if the coordinator could not be reached or is out of ids
   */
  int newNodeId() throws Exception;

  /**
   * Creates the sale's pool with {@code stock} units and per-user limit {@code limitPerUser},
   * unless it exists. Idempotent: every node registering the sale calls it.
   *
   * @param saleId the sale's id; not null
   * @param stock the sale's whole stock across the cluster; positive
   * @param limitPerUser units one user may buy across the cluster; positive
   * @throws IllegalStateException if the pool exists with another stock or limit (names both)
   * @throws Exception if the coordinator could not be reached
   */
  void openSale(String saleId, long stock, int limitPerUser) throws Exception;

  /**
   * Creates the sale's pool as {@link #openSale(String, long, int)} does, for a sale whose
   * orders may be reservations: with {@code payWithin} not null, every order the sink settles
   * for the sale is a reservation, counted in {@link Lease#held()} until its state change
   * (delivered through the sink's {@link OrderSink#storeStateChanges}) pays it, or cancels or
   * expires it, which puts its units back in the pool. Every node registering the sale calls it
   * with the same figures; the engine calls this method, not the three-argument one.
   *
   * <p>Default: {@link #openSale(String, long, int)} when {@code payWithin} is null; refuses a
   * reservation sale, for a coordinator written before reservations were supported in cluster
   * mode.
   *
   * @param saleId the sale's id; not null
   * @param stock the sale's whole stock across the cluster; positive
   * @param limitPerUser units one user may buy across the cluster; positive
   * @param payWithin how long a reservation may stay unpaid; null for a sale without
   *     reservations
   * @throws IllegalStateException if the pool exists with another stock, limit or
   *     {@code payWithin} (names both)
   * @throws UnsupportedOperationException if {@code payWithin} is not null and the coordinator
   *     does not support reservations
   * @throws Exception if the coordinator could not be reached
   */
  default void openSale(String saleId, long stock, int limitPerUser, @Nullable Duration payWithin)
      throws Exception {
    if (payWithin != null) {
      throw new UnsupportedOperationException(getClass().getName() + " does not support"
          + " reservations (payWithin) in cluster mode: sale '" + saleId + "'");
    }
    openSale(saleId, stock, limitPerUser);
  }

  /**
   * Renews node {@code nodeId}'s lease on sale {@code saleId} until {@code ttl} from the
   * coordinator's now, after moving up to {@code units} from the pool into it (fewer if the pool
   * holds fewer; 0 just renews). If the node holds no active lease on the sale, a new one is
   * created (with a new {@link Lease#leaseId()}). If {@code units} could not all be given, the
   * sale is marked starving, which other nodes see in their next answer. The engine calls it to
   * obtain a lease, when none of its orders of the sale is left to settle; while it sells it
   * renews with {@link #renew}, which never creates one.
   *
   * @param nodeId the calling node
   * @param saleId the sale, opened with {@link #openSale}
   * @param units units wanted, 0 or more
   * @param ttl how long the lease lasts without another call; positive
   * @return the lease after the call
   * @throws IllegalArgumentException if the sale was never opened
   * @throws Exception if the coordinator could not be reached
   */
  Lease lease(int nodeId, String saleId, int units, Duration ttl) throws Exception;

  /**
   * Renews lease {@code leaseId}, node {@code nodeId}'s active lease on sale {@code saleId}, as
   * {@link #lease} does (until {@code ttl} from the coordinator's now, after moving up to
   * {@code units} from the pool into it), but <b>never creates a lease</b>: if {@code leaseId} is
   * not the node's active lease on the sale any more (the coordinator revoked it, the node
   * released it), nothing changes and the answer is not active ({@link Lease#active()} false,
   * {@link Lease#leaseId()} 0).
   *
   * <p>This is the call that keeps a zombie (a node paused past its lease, then resumed) from
   * settling the orders it sold from a revoked lease against a new one: the engine renews with
   * it while it sells, and calls {@link #lease} for a new lease only once every order it sold
   * from the old one is settled or voided. An implementation must make the check and the
   * renewal one atomic step.
   *
   * @param nodeId the calling node
   * @param saleId the sale, opened with {@link #openSale}
   * @param leaseId the lease the node sells from, as a previous answer named it; positive
   * @param units units wanted, 0 or more
   * @param ttl how long the lease lasts without another call; positive
   * @return the lease after the call; not active if {@code leaseId} is no longer in force
   * @throws IllegalArgumentException if the sale was never opened or {@code leaseId} is not
   *     positive
   * @throws Exception if the coordinator could not be reached
   */
  Lease renew(int nodeId, String saleId, long leaseId, int units, Duration ttl) throws Exception;

  /**
   * Moves {@code units} of node {@code nodeId}'s active lease on the sale back to the pool
   * ({@code granted} goes down, never below {@code used}); the node stopped selling them first.
   *
   * @param nodeId the calling node
   * @param saleId the sale
   * @param units units to give back, 1 or more (fewer move if the lease has fewer unsettled)
   * @return the lease after the call; not active if there was none (nothing moved)
   * @throws Exception if the coordinator could not be reached
   */
  Lease giveBack(int nodeId, String saleId, int units) throws Exception;

  /**
   * Ends node {@code nodeId}'s active lease on the sale, if any: {@code granted − used} goes back
   * to the pool. The node calls it once every order it sold from the lease is settled (sale
   * over, engine closing). Idempotent.
   *
   * @param nodeId the calling node
   * @param saleId the sale
   * @throws Exception if the coordinator could not be reached
   */
  void release(int nodeId, String saleId) throws Exception;

  /**
   * Revokes every active lease whose expiry, by the coordinator's clock, is more than
   * {@code grace} ago, putting its {@code granted − used} back in the pool. Any node may call
   * it; leases another caller is revoking at the same time are skipped, not waited for.
   *
   * @param grace how long after expiry a lease stays in force; not negative
   * @return the number of leases revoked
   * @throws Exception if the coordinator could not be reached
   */
  int reap(Duration grace) throws Exception;

  /**
   * The order sink node {@code nodeId} must store its orders through: its
   * {@link OrderSink#storeOrVoid} settles each order against the node's active lease on the
   * order's sale, in the transaction that stores it. The engine calls it once, at start.
   *
   * @param nodeId the node that sold the orders it will be given
   * @return a sink; closing it does not close the coordinator
   */
  OrderSink sink(int nodeId);

  /** Releases the coordinator's resources (not the leases). Default: nothing. */
  @Override
  default void close() throws Exception {}
}
