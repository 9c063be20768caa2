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
 * How a shard's ledger writer and responder wait when they have nothing to do — the ring is
 * empty, or the responder waits for the writer to finish a batch: the trade between latency and
 * CPU burned while waiting. Chosen once, on the {@link SeckillEngine.Builder}.
 *
 * <p>Costs below are CPU time per thread divided by wall time (1.0 = a whole core), measured with
 * {@code dev.seckill.bench.ThreadCpuRun} (seckill-bench) on a 2-core VM: 1 shard, 2 caller
 * threads on the listener path with 64 requests in flight each, 5 s under load, then 5 s idle.
 * The machine was shared with other builds (load average 11–15), so a spinning thread got only
 * the share the scheduler gave it: on a quiet machine each spinning thread costs a whole core.
 * The writer's own work under load (0.3–0.8 of a core) is not a waiting cost and is not listed.
 * Details: docs/benchmarks.md, "Responder wait strategy".
 */
public enum IdleStrategy {
  /**
   * Both threads park and are woken by a signal: the writer by each publish, the responder by
   * the writer at the end of each batch (also while the writer is busy: the responder never
   * spins). Costs 0.002–0.007 of a core per thread idle (a bounded park re-checks every 100 ms)
   * and 0.01–0.04 for the responder under load; adds a wake-up (a futex call, tens of
   * microseconds) to the first request after a pause and to each batch the responder slept
   * through. The default: safe to embed, and the best choice when cores are scarce.
   */
  BLOCKING,
  /**
   * Spin, then yield, then park 100 ns at a time (Linux makes each park ~50 µs), in a loop.
   * Costs 0.13–0.21 of a core per thread idle and 0.09–0.20 for the responder under load.
   * Lower wake-up latency than BLOCKING.
   */
  SLEEPING,
  /**
   * Spin, then {@code Thread.yield()}. Lowest latency short of busy-spinning. Each waiting thread
   * stays runnable: up to a core each, idle or not (measured 0.33–0.39 per thread idle and 0.67
   * for the responder under load, on the shared machine); give it cores to spare.
   */
  YIELDING,
  /**
   * Spin without yielding: a whole core per thread, two per shard, idle or not (measured
   * 0.77–0.81 each under load and 0.24–0.27 idle only because the shared machine had no more
   * to give). Only with a dedicated core per thread.
   */
  BUSY_SPIN
}
