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

/**
 * An operator's change to a registered sale, decided by the shard's ledger writer through the
 * ring ({@link PurchaseEvent.Kind#SALE_OP}) and persisted in the sale catalog before it takes
 * effect (see {@link StockLedger#operate}).
 */
enum SaleOp {
  /** Refuse purchases with {@link Rejection#PAUSED} until resumed. */
  PAUSE,
  /** Undo {@link #PAUSE}. */
  RESUME,
  /** Move the end to now (the engine's clock): the sale ends at once. */
  END,
  /** Move the end later: the argument is the new end, epoch ms. */
  EXTEND,
  /** Add units to the stock: the argument is how many; clears the sold-out flag. */
  ADD_STOCK,
  /** Forget a finished sale whose orders are all stored, freeing its slot. */
  ARCHIVE
}
