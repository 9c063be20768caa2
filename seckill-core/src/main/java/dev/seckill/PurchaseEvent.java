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

import dev.seckill.PurchaseListener;
import dev.seckill.PurchaseRequest;
import dev.seckill.Rejection;
import dev.seckill.Sale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One slot of a shard's ring: a request on its way to the ledger writer, and the decision on its
 * way back to the responder.
 *
 * <p>A purchase's decision is one of three, in explicit fields: a {@link #failure} (the ledger
 * threw), a {@link #rejection}, or else a confirmation as order {@link #orderId}. The writer
 * fills them through {@link DecisionSink}; the responder may replace a confirmation by a failure
 * (durability PERSISTED: the order was dead-lettered, or not stored before close).
 *
 * <p>Threads: a producer fills the request fields in {@link Translators} before publishing; the
 * ledger writer reads them and fills the decision fields; the responder reads the decision,
 * delivers it and clears every reference so the slot holds no garbage. The Disruptor's sequences
 * order these three steps; no field needs to be volatile.
 *
 * <p>Every reference is null in a free slot (and in a slot published empty by a caller racing
 * close), so each is {@code @Nullable}; {@link #request()} and the like read a field the slot's
 * {@link #kind} guarantees.
 *
 * <p>{@link #submittedNanos} is the caller's {@code System.nanoTime()} for a purchase whose ring
 * sequence is a multiple of {@link Shard#LATENCY_SAMPLE_EVERY} (the decision-latency sample);
 * stale in other slots, and read only for those sequences.
 */
final class PurchaseEvent implements DecisionSink {
  /** What the slot carries. */
  public enum Kind {
    /** A purchase to decide. */
    PURCHASE,
    /** A sale to register through the writer. */
    REGISTER,
    /** Pay a reservation ({@link #orderId}, {@link #refHash}); answered in {@link #transition}. */
    PAY,
    /** Cancel a reservation ({@link #orderId}); answered in {@link #transition}. */
    CANCEL,
    /** Expire the reservations that fell due (the reservation timer's tick); no answer. */
    TICK,
    /**
     * An operator's change to {@link #sale} ({@link #saleOp}, {@link #saleOpArg}), answered like
     * a registration: {@link #registered} or {@link #failure}, delivered to {@link #registration}.
     */
    SALE_OP,
    /**
     * Orders the sink voided ({@link #voids}): the writer gives the buyers' units back (and, in
     * cluster mode, LIMIT_REACHED units to the live local lease). No answer.
     */
    VOIDS,
    /** Cluster mode: a change of a sale's local lease ({@link #leaseOp}), answered in it. */
    LEASE_OP
  }

  @Nullable Kind kind;

  // Request, written by the producer.
  @Nullable PurchaseRequest request;
  @Nullable SaleState sale;
  /**
   * The buyer's 128-bit key ({@link UserKeys#hash} of the sale's index and the user id), computed
   * by the publishing caller so the writer does not hash; one instance per slot, reused.
   */
  final UserKey userKey = new UserKey();
  /**
   * The request id's 128-bit key ({@link StockLedger#requestKey}), computed by the publishing
   * caller when the request carries a request id; meaningful only if {@link #hasRequestKey}.
   * One instance per slot, reused.
   */
  final UserKey requestKey = new UserKey();
  /** Whether {@link #requestKey} holds this purchase's request key. */
  boolean hasRequestKey;
  /** Whoever waits for the decision: a caller's listener, or a {@link Reply} (a future). */
  @Nullable PurchaseListener listener;
  @Nullable Sale saleToRegister;
  @Nullable CompletableFuture<SaleState> registration;
  /** The change of a SALE_OP slot. */
  @Nullable SaleOp saleOp;
  /** Its argument (an end in epoch ms, units to add), 0 if none. */
  long saleOpArg;

  /** VOIDS: the voided orders. */
  java.util.@Nullable List<OutboxFlusher.VoidEntry> voids;
  /** LEASE_OP: the change, and where its answer goes. */
  @Nullable LeaseOp leaseOp;

  /** PAY/CANCEL: who waits for the transition. */
  @Nullable CompletableFuture<OrderTransition> transitionAnswer;
  /** PAY: the payment reference's hash. */
  long refHash;
  /** PAY/CANCEL: the writer's answer. */
  @Nullable OrderTransition transition;

  /** System.nanoTime() at submit, for sampled sequences only (see the class comment). */
  long submittedNanos;

  // Decision, written by the ledger writer.
  /** The order id of a confirmed purchase; meaningful only without rejection and failure. */
  long orderId;
  /** Why the purchase was refused, or null. */
  @Nullable Rejection rejection;
  @Nullable SaleState registered;
  /** What the writer (or, for PERSISTED, the sink) failed with, or null. */
  @Nullable Throwable failure;

  /** The request of a PURCHASE slot. */
  PurchaseRequest request() {
    return Objects.requireNonNull(request, "request");
  }

  /** The sale of a PURCHASE slot. */
  SaleState sale() {
    return Objects.requireNonNull(sale, "sale");
  }

  /** The listener of a PURCHASE slot. */
  PurchaseListener listener() {
    return Objects.requireNonNull(listener, "listener");
  }

  @Override
  public void confirmed(long orderId) {
    this.orderId = orderId;
  }

  @Override
  public void rejected(Rejection reason) {
    this.rejection = reason;
  }

  void clear() {
    kind = null;
    request = null;
    sale = null;
    listener = null;
    saleToRegister = null;
    registration = null;
    saleOp = null;
    saleOpArg = 0;
    registered = null;
    transitionAnswer = null;
    transition = null;
    refHash = 0;
    failure = null;
    rejection = null;
    orderId = 0;
    hasRequestKey = false;
    voids = null;
    leaseOp = null;
  }
}
