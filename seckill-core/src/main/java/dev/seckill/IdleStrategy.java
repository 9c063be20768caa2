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
 * How a shard's ledger writer and responder wait when the ring is empty: the trade between
 * latency and CPU burned while idle. Chosen once, on the {@link SeckillEngine.Builder}.
 */
public enum IdleStrategy {
  /**
   * Park on a lock and condition until work arrives. Idles at ~0% CPU; adds wake-up latency
   * (tens of microseconds) to the first request after a pause. The default: safe to embed.
   */
  BLOCKING,
  /** Spin, then yield, then park briefly. Low CPU when idle, lower latency than BLOCKING. */
  SLEEPING,
  /**
   * Spin, then {@code Thread.yield()}. Lowest latency short of busy-spinning; each idle shard
   * keeps two threads runnable, so give it cores to spare.
   */
  YIELDING,
  /** Spin without yielding. Only with a dedicated core per thread (two per shard). */
  BUSY_SPIN
}
