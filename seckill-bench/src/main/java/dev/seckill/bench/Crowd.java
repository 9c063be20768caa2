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

import dev.seckill.PurchaseRequest;

/**
 * The crowd of a real flash sale, as a pre-built pool of requests so the benchmark thread does not
 * allocate while measuring: most buyers are distinct, some come back for a second unit (the sale's
 * limit is 2), a few try a third time and are refused with {@code LIMIT_REACHED}.
 *
 * <p>Of every 20 requests: 17 from new buyers, 2 second attempts, 1 third attempt (85/10/5%).
 * User ids carry a prefix so two threads never share a buyer.
 */
public final class Crowd {
  /** The per-user limit the crowd mix assumes. */
  public static final int LIMIT_PER_USER = 2;

  private final PurchaseRequest[] requests;
  private int next;

  private Crowd(PurchaseRequest[] requests) {
    this.requests = requests;
  }

  /**
   * Builds {@code size} requests for {@code saleId}, users named {@code prefix + n}. Repeat
   * attempts reuse the same {@code userId} String instance, as a server would not.
   */
  public static Crowd of(String saleId, String prefix, int size) {
    PurchaseRequest[] pool = new PurchaseRequest[size];
    long users = 0;
    for (int i = 0; i < size; i++) {
      int slot = i % 20;
      if (slot == 9 && i >= 20) {
        // second attempt by a buyer seen about 10 requests ago
        pool[i] = PurchaseRequest.of(saleId, pool[i - 11].userId(), 1);
      } else if ((slot == 19 || slot == 14) && i >= 40) {
        // slot 14: second attempt, slot 19: third attempt of the buyer from slot 9 (refused)
        pool[i] = PurchaseRequest.of(saleId, slot == 14 ? pool[i - 13].userId() : pool[i - 10].userId(), 1);
      } else {
        pool[i] = PurchaseRequest.of(saleId, prefix + users++, 1);
      }
    }
    return new Crowd(pool);
  }

  /** Distinct buyers only: every request is a new user, so every one is confirmed. */
  public static Crowd distinct(String saleId, String prefix, int size) {
    PurchaseRequest[] pool = new PurchaseRequest[size];
    for (int i = 0; i < size; i++) {
      pool[i] = PurchaseRequest.of(saleId, prefix + i, 1);
    }
    return new Crowd(pool);
  }

  /** The next request, wrapping at the end of the pool (wrapped buyers hit their limit). */
  public PurchaseRequest next() {
    PurchaseRequest r = requests[next];
    next = next + 1 == requests.length ? 0 : next + 1;
    return r;
  }

  /** Starts from the first request again (for a fresh engine). */
  public void rewind() {
    next = 0;
  }

  /** The request at {@code i}. */
  public PurchaseRequest get(int i) {
    return requests[i];
  }

  public int size() {
    return requests.length;
  }
}
