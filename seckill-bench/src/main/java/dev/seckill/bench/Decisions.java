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
package dev.seckill.bench;

import dev.seckill.Rejection;

/**
 * The decision encoding shared by the ledger and the baselines: a positive order id, or
 * {@code -1 - rejection.ordinal()}, the same as {@code StockLedger.decide}.
 */
public final class Decisions {
  public static final long SOLD_OUT = reject(Rejection.SOLD_OUT);
  public static final long INSUFFICIENT_STOCK = reject(Rejection.INSUFFICIENT_STOCK);
  public static final long LIMIT_REACHED = reject(Rejection.LIMIT_REACHED);
  public static final long OVERLOADED = reject(Rejection.OVERLOADED);

  private Decisions() {}

  public static long reject(Rejection reason) {
    return -1L - reason.ordinal();
  }

  /** The refusal for a stock check that failed with {@code remaining} left. */
  public static long noStock(long remaining) {
    return remaining == 0 ? SOLD_OUT : INSUFFICIENT_STOCK;
  }
}
