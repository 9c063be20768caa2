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
package dev.seckill.internal.ring;

import dev.seckill.PurchaseListener;
import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.Sale;
import dev.seckill.internal.ledger.SaleState;
import java.util.concurrent.CompletableFuture;

/**
 * One slot of a shard's ring: a request on its way to the ledger writer, and the decision on its
 * way back to the responder.
 *
 * <p>Threads: a producer fills the request fields in {@link Translators} before publishing; the
 * ledger writer reads them and fills the decision fields; the responder reads the decision,
 * delivers it and clears every reference so the slot holds no garbage. The Disruptor's sequences
 * order these three steps; no field needs to be volatile.
 */
public final class PurchaseEvent {
  /** What the slot carries. */
  public enum Kind {
    /** A purchase to decide. */
    PURCHASE,
    /** A sale to register through the writer. */
    REGISTER
  }

  Kind kind;

  // Request, written by the producer.
  PurchaseRequest request;
  SaleState sale;
  CompletableFuture<PurchaseResult> future;
  PurchaseListener listener;
  Sale saleToRegister;
  CompletableFuture<SaleState> registration;

  // Decision, written by the ledger writer.
  /** An order id if positive, else an encoded rejection (see {@code StockLedger.decide}). */
  long decision;
  SaleState registered;
  Throwable failure;

  void clear() {
    kind = null;
    request = null;
    sale = null;
    future = null;
    listener = null;
    saleToRegister = null;
    registration = null;
    registered = null;
    failure = null;
    decision = 0;
  }
}
