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

/** Where a sale stands in its lifecycle, as seen by {@link SeckillEngine#snapshot(String)}. */
public enum SalePhase {
  /** Before {@code startsAt}: the preparation phase; purchases are refused with NOT_STARTED. */
  UPCOMING,
  /** Within the window with stock remaining: purchases are decided by the ledger. */
  ON_SALE,
  /** Every unit has been sold; purchases are refused with SOLD_OUT. */
  SOLD_OUT,
  /** At or after {@code endsAt} with stock left unsold; purchases are refused with ENDED. */
  ENDED
}
