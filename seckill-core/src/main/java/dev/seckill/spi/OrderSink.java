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

import java.util.List;

/**
 * Where confirmed orders go when they leave the ledger's outbox: a database, a queue, a file.
 * The extension point behind the engine's persistence pipeline.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> The engine calls {@link #store} from one flusher thread per shard, one
 *       batch at a time per shard; with several shards, calls may overlap, so an implementation
 *       shared by shards must be thread-safe. Never called on the ledger writer thread.
 *   <li><b>Durability.</b> Returning normally means every order in the batch is durable in the
 *       sink (for a database: the transaction committed). Only then does the engine remove the
 *       orders from the outbox.
 *   <li><b>Idempotency.</b> The engine may offer an order more than once: after {@code store}
 *       threw (a timeout whose commit actually landed), or after a crash between the sink's
 *       commit and the outbox removal. Storing an order whose {@link ConfirmedOrder#orderId()} is
 *       already stored must succeed and change nothing. A batch is all-or-nothing from the
 *       engine's view; storing it in one transaction is the natural way to get that.
 *   <li><b>Failure.</b> Throw any exception to say the batch was not (or not surely) stored. The
 *       engine keeps the orders in the outbox and retries with capped exponential backoff; the
 *       same orders may come back in differently sized batches. Such a failure is
 *       <em>transient</em>: the engine retries for as long as it takes and never drops an order.
 *   <li><b>Permanent failure.</b> Throw a {@link PermanentSinkException} to say that retrying
 *       cannot help because an order in the batch cannot be stored (for a database: a data
 *       exception or a constraint violation). The engine then isolates it: it offers the first
 *       half of the batch, then the rest, halving again whatever fails permanently, until a
 *       batch of one order fails permanently. That order is appended, with the exception's class
 *       and message, to the shard's dead-letter file ({@code shard-N/dead-letters.jsonl} in the
 *       data directory, fsync'd) instead of being stored, is removed from the outbox, and is
 *       counted in {@code SeckillEngine.deadLetteredOrders()}; every other order is stored as
 *       usual, so one bad order cannot hold back the rest. Nothing is dropped silently: an order
 *       leaves the outbox only once it is in the sink or in the dead-letter file. A failure of
 *       the sink as a whole (unreachable, a missing table) must not be reported as permanent,
 *       or every order would be dead-lettered. A transient failure met while isolating is
 *       retried with backoff as usual.
 *   <li><b>Order.</b> Orders within a batch are in confirmation order for one shard; nothing is
 *       promised across shards.
 * </ul>
 */
public interface OrderSink extends AutoCloseable {

  /**
   * Stores {@code batch} durably and idempotently by order id; returns only once it is durable.
   *
   * @param batch one or more orders; the list is not retained by the engine after the call
   * @throws PermanentSinkException if the batch was not stored and an order in it can never be
   * @throws Exception if the batch was not stored, or might not have been; retried later
   */
  void store(List<ConfirmedOrder> batch) throws Exception;

  /**
   * Stores {@code batch} like {@link #store}, except that the sink may <em>void</em> some of its
   * orders instead of storing them: refuse them for a reason of their own that retrying cannot
   * change (in cluster mode, the selling node's lease was lost, or the buyer already reached the
   * per-user limit on another node). Returning normally means every order of the batch is durable
   * in the sink either as stored or as voided; a voided order's verdict must be durable too, so
   * that offering it again voids it again for the same reason. The engine calls this method, not
   * {@link #store}; everything else in the contract above holds as for {@code store}
   * (idempotency, transient and permanent failures).
   *
   * <p>A voided order ends in state {@code OrderState.VOIDED}: with durability PERSISTED its
   * buyer is refused ({@code Rejection.VOIDED}, or {@code LIMIT_REACHED} for
   * {@link VoidedOrder.Reason#LIMIT_REACHED}) instead of confirmed; with LEDGER the buyer was
   * confirmed already, and the engine counts and logs the void (cluster mode requires PERSISTED).
   *
   * <p>Default: {@link #store} the batch and void nothing.
   *
   * @param batch one or more orders; not retained after the call
   * @return the voided orders of the batch, in batch order, each at most once; empty if every
   *     order was stored; never null
   * @throws PermanentSinkException as for {@link #store}
   * @throws Exception as for {@link #store}
   */
  default List<VoidedOrder> storeOrVoid(List<ConfirmedOrder> batch) throws Exception {
    store(batch);
    return List.of();
  }

  /**
   * Stores reservation state changes (orders of sales with {@code payWithin} that were paid,
   * cancelled or expired) durably; returns only once they are durable. The flusher calls it
   * after {@link #store} succeeded for the orders read in the same pass, with the changes read in
   * that pass, in journal order (so a change never arrives before its order, unless the order was
   * dead-lettered). The same change may be offered again (a retry, a crash): apply a change only
   * if its {@link OrderStateChange#version()} is above the order's stored version, so it is
   * idempotent and never moves an order backwards. An exception, a {@link PermanentSinkException}
   * included, is treated as transient: the orders and changes of the pass are offered again.
   *
   * <p>Default: nothing (a sink that stores only orders ignores state changes).
   *
   * @param changes one or more changes; not retained after the call
   * @throws Exception if the changes were not, or might not have been, stored; retried later
   */
  default void storeStateChanges(List<OrderStateChange> changes) throws Exception {}

  /** Releases the sink's resources; called once when the engine closes. Default: nothing. */
  @Override
  default void close() throws Exception {}
}
