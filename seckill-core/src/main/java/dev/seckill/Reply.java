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
import dev.seckill.PurchaseResult;
import dev.seckill.Rejection;
import java.util.concurrent.CompletableFuture;

/**
 * The future returned by {@code SeckillEngine.submit(PurchaseRequest)}, which is also the
 * {@link PurchaseListener} that completes it. A ring slot therefore carries one thing, a
 * listener, whichever {@code submit} the caller used, and the responder's delivery code exists
 * once: it calls the listener, and for a future this completes it.
 *
 * <p>Costs nothing over a plain {@link CompletableFuture}: the future path allocates this object
 * instead of one, the listener path allocates nothing. Dependent stages created from it are
 * plain {@code CompletableFuture}s.
 */
final class Reply extends CompletableFuture<PurchaseResult> implements PurchaseListener {

  @Override
  public void onConfirmed(PurchaseRequest request, long orderId) {
    complete(PurchaseResult.confirmed(orderId, request.quantity()));
  }

  @Override
  public void onRejected(PurchaseRequest request, Rejection reason) {
    complete(PurchaseResult.rejected(reason));
  }

  @Override
  public void onFailed(PurchaseRequest request, Throwable cause) {
    completeExceptionally(cause);
  }
}
