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

import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link OrderSink#store} to say that the batch was not stored and that storing the
 * same orders again will fail again: at least one order in it holds something the sink refuses
 * for good (a value the column cannot take, a constraint it violates). Any other exception means
 * "not stored now, try again later".
 *
 * <p>The engine answers by isolating the order at fault: it stores smaller and smaller parts of
 * the batch (halves, recursively) until one order fails on its own, and writes that order, with
 * this exception, to the shard's dead-letter file instead of the sink; every other order is
 * stored normally. See {@link OrderSink} and docs/persistence.md.
 *
 * <p>Throw it only for failures caused by the orders themselves. A failure of the store as a
 * whole (the database is down, a table is missing, a grant was revoked) must stay an ordinary
 * exception: classified as permanent, it would dead-letter every order, one at a time.
 *
 * <p>The engine also completes the future of a {@link dev.seckill.Durability#PERSISTED PERSISTED}
 * purchase whose order was dead-lettered exceptionally with an instance of this class (naming
 * the order, with the sink's exception as its cause), and passes it to
 * {@link dev.seckill.PurchaseListener#onFailed}.
 */
public class PermanentSinkException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * A permanent failure described by {@code message}.
   *
   * @param message what the sink refused and why, ideally naming the order and the offending
   *     value; kept as the exception's message and written to the dead-letter file (may be null)
   */
  public PermanentSinkException(@Nullable String message) {
    super(message);
  }

  /**
   * A permanent failure described by {@code message}, caused by {@code cause}.
   *
   * @param message what the sink refused and why, ideally naming the order and the offending
   *     value; kept as the exception's message and written to the dead-letter file (may be null)
   * @param cause the store's own exception (for example the driver's constraint violation), or
   *     null if there is none
   */
  public PermanentSinkException(@Nullable String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
