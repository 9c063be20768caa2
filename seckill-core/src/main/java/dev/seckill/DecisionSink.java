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

import dev.seckill.Rejection;

/**
 * Receives the answer of {@link StockLedger#decide(SaleState, String, int, DecisionSink)}: exactly
 * one method is called, once, on the ledger writer thread. Lets the ledger keep its encoding of a
 * decision to itself while the caller stores the answer in place, without allocating.
 */
interface DecisionSink {
  /** The purchase is recorded as order {@code orderId} (positive). */
  void confirmed(long orderId);

  /** The purchase is refused for {@code reason}. */
  void rejected(Rejection reason);
}
