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

/** One shard's reservations by order id (see the class comment once filled in). */
final class ReservationTable {
  private ReservationTable() {}

  /** A 64-bit hash of a payment reference (FNV-1a over the chars, then mixed); never 0. */
  static long refHash(String ref) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < ref.length(); i++) {
      h = (h ^ ref.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h == 0 ? 1 : h;
  }
}
