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
 *       same orders may come back in differently sized batches.
 *   <li><b>Order.</b> Orders within a batch are in confirmation order for one shard; nothing is
 *       promised across shards.
 * </ul>
 */
public interface OrderSink extends AutoCloseable {

  /**
   * Stores {@code batch} durably and idempotently by order id; returns only once it is durable.
   *
   * @param batch one or more orders; the list is not retained by the engine after the call
   * @throws Exception if the batch was not stored, or might not have been
   */
  void store(List<ConfirmedOrder> batch) throws Exception;

  /** Releases the sink's resources; called once when the engine closes. Default: nothing. */
  @Override
  default void close() throws Exception {}
}
