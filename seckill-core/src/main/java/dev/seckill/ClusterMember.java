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

import dev.seckill.spi.Lease;
import dev.seckill.spi.StockCoordinator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: the engine's one cluster thread ({@code seckill-cluster}), which keeps each
 * cluster sale's local lease (the sale's remaining units on this node) in step with the node's
 * lease in the {@link StockCoordinator}. It never sells and never writes a sale's units itself:
 * every change goes through the shard's ledger writer as a {@link LeaseOp} (see
 * {@link StockLedger#leaseOp} for the single-writer rule); the one value it writes that the writer
 * reads is the local deadline {@link SaleState#leaseDeadlineNanos}.
 *
 * <p>Per sale, a small state machine:
 * <pre>
 *   STOP ──▶ SETTLING ──(flusher watermark ≥ the sale's last order)──▶ lease() ──SET──▶ ACTIVE
 *     ▲                                                                            │
 *     └──── deadline passed without renewal, or renew(leaseId) answers "not active" ┘
 *   ACTIVE/SETTLING ──(sale over, engine closing)──▶ STOP, settle (bounded), release()
 *   released ──(the sale extended: its window open again)──▶ STOP
 * </pre>
 * <ul>
 *   <li><b>Obtaining.</b> At start and after any loss it first stops the sale (remaining := 0;
 *       the writer answers the sequence of the sale's last order), waits until the flusher's
 *       watermark passes that order (every order sold before is stored or voided), then calls
 *       {@code lease()} and sets remaining := granted − used (absolute): orders of one lease are
 *       never settled against another, and a restart never sells units it sold before.
 *   <li><b>Local deadline.</b> {@code t0 + leaseTtl·(1 − ρ) − δ}, {@code t0} the
 *       {@code System.nanoTime()} before the successful call. The writer checks it per decision;
 *       this thread, when it passes without a renewal, stops the sale (refusal
 *       COORDINATOR_UNAVAILABLE) and starts over.
 *   <li><b>Top-up and renewal.</b> Renewed ({@code renew(leaseId)}) every {@code leaseTtl / 3};
 *       topped up when the writer signals the low-water mark (half the last chunk) by setting
 *       {@link SaleState#topUpWanted} and unparking this thread. The flag, not the unpark, is
 *       the request: an unpark that lands while this thread waits inside a call is used up by
 *       that wait, so the thread checks the flag before it parks. Chunk =
 *       clamp(recent rate × chunkTarget, 1, poolFree / (2 × max(1, activeNodes))), initialChunk
 *       before a rate exists. The rate is the sale's confirmed orders per second on this node
 *       since the previous call (orders, not units: a multi-unit order counts once). When an
 *       answer shows more granted than this thread knew (an earlier answer was lost), the
 *       difference is added. When this node's flusher stores a cancelled or expired reservation
 *       (its units go to the pool, {@link SaleState#poolGrew()}), the last answer's "pool
 *       empty" no longer holds: a low lease tops up at once instead of at the next renewal.
 *   <li><b>Giving back.</b> When an answer says {@code starving} and the node sold nothing for
 *       {@code chunkTarget}, the writer takes the idle units out first (TAKE), then
 *       {@code giveBack(k)} is called. If that call fails, the units are not put back at once (the
 *       call may have committed): the next answer's {@code granted} decides, through the
 *       "granted − knownGranted" rule, whether they come back.
 *   <li><b>Refusal when empty</b> ({@link SaleState#emptyRefusal}): SOLD_OUT only when the last
 *       answer says {@link Lease#soldOut()}; ALL_HELD when it says {@link Lease#allHeld()}
 *       (settled reservations hold the rest: what they give back goes to the pool, which this
 *       node sees at its next renewal, or at once for its own releases); LEASED_ELSEWHERE
 *       otherwise while a lease is held;
 *       COORDINATOR_UNAVAILABLE while none is.
 *   <li><b>Lost lease seen in an answer.</b> While ACTIVE the thread calls
 *       {@link StockCoordinator#renew renew(leaseId)}, never {@code lease()}: if the coordinator
 *       revoked the lease (this node was paused past it), the answer is "not active" and no new
 *       lease exists, so the orders still in the outbox find none and are voided; the sale starts
 *       over from STOP, and {@code lease()} is called only once they are settled or voided.
 *   <li><b>Reaper.</b> Every {@code leaseTtl}: {@code reap(reapGrace)}, the count logged when
 *       above 0.
 *   <li><b>End.</b> When the sale's window closes, and at engine close: STOP, wait for the
 *       flusher to settle the sale's orders (at close bounded by {@code closeTimeout}), then
 *       {@code release()}.
 *   <li><b>Failures.</b> A coordinator call that throws is logged once per streak (and once when
 *       it recovers) and retried after a backoff (10 ms doubling up to {@code leaseTtl / 3});
 *       the thread never dies of it. The thread parks between steps (to the next renewal,
 *       deadline or reap, or 10 ms while waiting for the flusher) and never spins.
 * </ul>
 */
final class ClusterMember implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ClusterMember.class);
  /** The thread's name. */
  static final String THREAD_NAME = "seckill-cluster";
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final Cluster cluster;
  private final StockCoordinator coordinator;
  private final int nodeId;
  private final Shards shards;
  private final Clock clock;
  private final long ttlNanos;
  private final long renewNanos;
  private final long localLeaseNanos;
  private final long opTimeoutNanos;
  private final ConcurrentLinkedQueue<SaleState> added = new ConcurrentLinkedQueue<>();
  private final List<Member> members = new ArrayList<>(); // cluster thread only
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final Thread thread;
  private volatile boolean stopping;
  private volatile long stopDeadlineNanos;
  // Reaper (cluster thread only).
  private long nextReapNanos;
  private boolean reapFailing;

  ClusterMember(Cluster cluster, int nodeId, Shards shards, Clock clock, Duration closeTimeout) {
    this.cluster = cluster;
    this.coordinator = cluster.coordinator();
    this.nodeId = nodeId;
    this.shards = shards;
    this.clock = clock;
    this.ttlNanos = cluster.leaseTtl().toNanos();
    this.renewNanos = ttlNanos / 3;
    this.localLeaseNanos = cluster.localLeaseNanos();
    this.opTimeoutNanos = Math.max(ttlNanos, closeTimeout.toNanos());
    this.thread = new Thread(this, THREAD_NAME);
    thread.setDaemon(true);
  }

  /** Starts the thread, which takes over every sale added. */
  void start() {
    nextReapNanos = System.nanoTime() + ttlNanos;
    thread.start();
  }

  /** Takes over {@code sale} (registered, or restored at start). Any thread. */
  void add(SaleState sale) {
    sale.member = thread; // before the writer can signal it
    added.add(sale);
    LockSupport.unpark(thread);
  }

  /**
   * Stops selling every sale, waits for the flusher to settle their orders (until
   * {@code timeoutNanos} from now) and releases the leases; returns when the thread has ended.
   * Before the shards close. Any thread; once.
   */
  void close(long timeoutNanos) {
    stopDeadlineNanos = System.nanoTime() + timeoutNanos;
    stopping = true;
    LockSupport.unpark(thread);
    if (thread.isAlive() || !stopped.isDone()) {
      try {
        stopped.get(timeoutNanos + opTimeoutNanos + TimeUnit.SECONDS.toNanos(1),
            TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        log.warn("seckill cluster: the cluster thread did not end in time; leases not released"
            + " are reaped by the coordinator after their expiry and grace", e);
      }
    }
  }

  @Override
  public void run() {
    try {
      while (!stopping) {
        SaleState s;
        while ((s = added.poll()) != null) {
          members.add(new Member(s));
        }
        long now = System.nanoTime();
        long wake = now + renewNanos;
        if (now - nextReapNanos >= 0) {
          reap();
          nextReapNanos = System.nanoTime() + ttlNanos;
        }
        wake = earlier(wake, nextReapNanos);
        for (Iterator<Member> it = members.iterator(); it.hasNext() && !stopping; ) {
          Member m = it.next();
          long next = m.step();
          if (m.done) {
            it.remove();
          } else {
            wake = earlier(wake, next);
          }
        }
        long park = wake - System.nanoTime();
        // A sale added while this thread was inside a call: its unpark went to that call's wait.
        if (park > 0 && !stopping && added.isEmpty()) {
          LockSupport.parkNanos(this, park);
        }
      }
      SaleState s;
      while ((s = added.poll()) != null) {
        members.add(new Member(s));
      }
      for (Member m : members) {
        m.finish(stopDeadlineNanos);
      }
    } catch (RuntimeException | Error e) {
      log.error("seckill cluster: the cluster thread failed; the node stops selling its cluster"
          + " sales as their local leases run out", e);
    } finally {
      stopped.complete(null);
    }
  }

  private static long earlier(long a, long b) {
    return a - b <= 0 ? a : b;
  }

  private void reap() {
    try {
      int n = coordinator.reap(cluster.reapGrace());
      if (reapFailing) {
        log.info("seckill cluster: the coordinator's reap works again");
        reapFailing = false;
      }
      if (n > 0) {
        log.info("seckill cluster: reaped {} expired leases (their unsold units are back in the"
            + " pools)", n);
      }
    } catch (Exception e) {
      if (!reapFailing) {
        log.warn("seckill cluster: the coordinator's reap failed; retried every {} (logged once"
            + " until it works)", cluster.leaseTtl(), e);
        reapFailing = true;
      }
    }
  }

  /** A writer op on {@code sale}'s shard, waited for; throws if it fails or times out. */
  private long op(LeaseOp.Kind kind, SaleState sale, long units) throws Exception {
    LeaseOp op = shards.get(sale.shard()).leaseOp(new LeaseOp(kind, sale, units));
    try {
      return op.answer.get(opTimeoutNanos, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof Exception ex ? ex : e;
    }
  }

  private enum State { STOP, SETTLING, ACTIVE }

  /** One cluster sale on this node. Cluster thread only. */
  private final class Member {
    final SaleState sale;
    final String saleId;
    State state = State.STOP;
    boolean done;
    /** The sale is over: stopped, settling before release. */
    boolean ending;
    /** The sale is over and its lease released. */
    boolean released;
    /** The sequence the flusher must pass before a new lease (answer of STOP). */
    long settleSeq;
    long leaseId;
    long knownGranted;
    long lastPoolFree = 1;
    int lastChunk;
    long deadline;
    long lastCallNanos;
    long ordersAtLastCall = -1;
    double rate = -1;
    long lastOrderChangeNanos = System.nanoTime();
    long lastOrders = -1;
    // Failure streak.
    boolean failing;
    long backoffNanos = MIN_BACKOFF_NANOS;
    long retryAt;

    Member(SaleState sale) {
      this.sale = sale;
      this.saleId = sale.sale().id();
    }

    /** One step; returns when it wants to run again (nanoTime). */
    long step() {
      long now = System.nanoTime();
      if (sale.isArchived()) {
        done = true;
        return now;
      }
      trackOrders(now);
      boolean over = clock.millis() >= sale.endsAtMillis();
      try {
        if (state == State.ACTIVE && now - deadline >= 0) {
          // Checked before any backoff: a lapse stops the sale now, even in a failure streak.
          log.warn("seckill cluster: node {} lost its local lease on sale '{}' (no renewal"
              + " before its deadline); it stops selling the sale until its orders are"
              + " settled and a new lease is obtained", nodeId, saleId);
          stop(Rejection.COORDINATOR_UNAVAILABLE);
          return System.nanoTime();
        }
        if (failing && now - retryAt < 0) {
          return state == State.ACTIVE ? earlier(retryAt, deadline) : retryAt;
        }
        if (over) {
          return released ? now + renewNanos : end(now);
        }
        if (ending) { // extended after it ended: lease anew
          ending = false;
          released = false;
          state = State.STOP;
        }
        switch (state) {
          case STOP:
            stop(Rejection.COORDINATOR_UNAVAILABLE);
            return System.nanoTime();
          case SETTLING:
            if (flushedSeq() < settleSeq) {
              return now + POLL_NANOS;
            }
            obtain();
            return nextActiveWake();
          case ACTIVE:
          default:
            if (sale.poolGrew) { // this node gave reservations' units back to the pool
              sale.poolGrew = false;
              lastPoolFree = Math.max(lastPoolFree, 1);
            }
            boolean renewDue = now - lastCallNanos >= renewNanos;
            boolean topUp = sale.topUpWanted
                || sale.publishedRemaining() <= sale.lowWater;
            if (renewDue || (topUp && lastPoolFree > 0)) {
              renew(topUp);
            }
            return nextActiveWake();
        }
      } catch (Exception e) {
        return failed(e, now);
      }
    }

    private long nextActiveWake() {
      if (state != State.ACTIVE) {
        return System.nanoTime();
      }
      if ((sale.topUpWanted && lastPoolFree > 0) || sale.poolGrew) {
        // The writer asked for a chunk while this thread was in a call: its unpark was taken by
        // that call's own wait (a future's get, the connection pool's), so parking would sleep
        // through the request until the next renewal. Step again now.
        return System.nanoTime();
      }
      return earlier(lastCallNanos + renewNanos, deadline);
    }

    private long failed(Exception e, long now) {
      if (!failing) {
        log.warn("seckill cluster: node {}, sale '{}': a coordinator call failed; retried with"
            + " backoff (logged once until it works); the local lease runs until its deadline",
            nodeId, saleId, e);
        failing = true;
        backoffNanos = MIN_BACKOFF_NANOS;
      } else {
        backoffNanos = Math.min(backoffNanos * 2, Math.max(MIN_BACKOFF_NANOS, renewNanos));
      }
      retryAt = now + backoffNanos;
      return deadline != 0 && state == State.ACTIVE ? earlier(retryAt, deadline) : retryAt;
    }

    private void succeeded() {
      if (failing) {
        log.info("seckill cluster: node {}, sale '{}': the coordinator answers again", nodeId,
            saleId);
        failing = false;
        backoffNanos = MIN_BACKOFF_NANOS;
      }
    }

    private void trackOrders(long now) {
      long orders = sale.publishedOrders();
      if (orders != lastOrders) {
        lastOrders = orders;
        lastOrderChangeNanos = now;
      }
    }

    private long flushedSeq() {
      return shards.get(sale.shard()).flushedSeq();
    }

    /** Stops selling: deadline off, remaining := 0; the sale then settles. */
    private void stop(Rejection refusal) throws Exception {
      sale.leaseDeadlineNanos = 0; // the writer stops at once, before the op reaches it
      sale.emptyRefusal = refusal;
      settleSeq = op(LeaseOp.Kind.STOP, sale, 0);
      deadline = 0;
      state = State.SETTLING;
    }

    /** SETTLING, flusher past the last order: lease, then remaining := granted − used. */
    private void obtain() throws Exception {
      int want = lastChunk > 0 ? lastChunk : cluster.initialChunk();
      long t0 = System.nanoTime();
      Lease lease = coordinator.lease(nodeId, saleId, want, cluster.leaseTtl());
      succeeded();
      if (!lease.active()) {
        throw new IllegalStateException("the coordinator answered lease() with no active lease"
            + " for node " + nodeId + " on sale '" + saleId + "'");
      }
      leaseId = lease.leaseId();
      knownGranted = lease.granted();
      lastChunk = want;
      answered(lease, t0);
      op(LeaseOp.Kind.SET, sale, lease.unsettled());
      sale.leaseDeadlineNanos = deadline; // after SET: the writer sells the new units only
      state = State.ACTIVE;
      sale.firstLease.complete(null);
      log.info("seckill cluster: node {} holds lease {} on sale '{}': {} units to sell (granted {},"
          + " used {}, pool {}, elsewhere {})", nodeId, leaseId, saleId, lease.unsettled(),
          lease.granted(), lease.used(), lease.poolFree(), lease.leasedElsewhere());
    }

    /** ACTIVE: renew, with a chunk if the local lease runs low. */
    private void renew(boolean topUp) throws Exception {
      int want = topUp ? chunk() : 0;
      sale.topUpWanted = false; // before the call: the writer may ask again meanwhile
      long t0 = System.nanoTime();
      // renew, never lease: a renewal that reaches the coordinator after the reaper revoked the
      // lease must not make a new one, or the orders sold from the old one could settle
      // against it (a zombie's orders confirmed). A new lease comes from obtain() only.
      Lease lease = coordinator.renew(nodeId, saleId, leaseId, want, cluster.leaseTtl());
      succeeded();
      if (!lease.active() || lease.leaseId() != leaseId) {
        log.warn("seckill cluster: node {} lost lease {} on sale '{}' (the coordinator revoked"
            + " it); the node stops selling the sale, its unsettled orders are voided, and it"
            + " leases again once they are settled", nodeId, leaseId, saleId);
        stop(Rejection.COORDINATOR_UNAVAILABLE);
        return;
      }
      if (want > 0) {
        lastChunk = want;
      }
      long delta = lease.granted() - knownGranted;
      knownGranted = lease.granted();
      if (delta > 0) {
        op(LeaseOp.Kind.ADD, sale, delta); // a chunk, or units of an answer that was lost
      }
      answered(lease, t0);
      sale.leaseDeadlineNanos = deadline;
      if (lease.starving() && System.nanoTime() - lastOrderChangeNanos
          >= cluster.chunkTarget().toNanos()) {
        giveBackIdle();
      }
    }

    /** Records an answer: the deadline, the refusal when empty, the low-water mark, the rate. */
    private void answered(Lease lease, long t0) {
      deadline = t0 + localLeaseNanos;
      lastPoolFree = lease.poolFree();
      sale.emptyRefusal = lease.soldOut() ? Rejection.SOLD_OUT
          : lease.allHeld() ? Rejection.ALL_HELD : Rejection.LEASED_ELSEWHERE;
      sale.lowWater = Math.max(0, lastChunk / 2);
      long orders = sale.publishedOrders();
      if (ordersAtLastCall >= 0 && t0 - lastCallNanos > 0) { // the rate since the last call
        rate = (orders - ordersAtLastCall) * 1e9 / (t0 - lastCallNanos);
      }
      ordersAtLastCall = orders;
      lastCallNanos = t0;
      limitChunk(lease);
    }

    private long cap = Long.MAX_VALUE;

    private void limitChunk(Lease lease) {
      cap = Math.max(1, lease.poolFree() / (2L * Math.max(1, lease.activeNodes())));
    }

    /** The next chunk: clamp(rate × chunkTarget, 1, poolFree / (2 × max(1, activeNodes))). */
    private int chunk() {
      double wanted = rate < 0 ? cluster.initialChunk()
          : rate * cluster.chunkTarget().toNanos() / 1e9;
      long units = (long) Math.ceil(wanted);
      units = Math.max(1, Math.min(units, cap));
      return (int) Math.min(units, Integer.MAX_VALUE);
    }

    /** Another node starves and this one sold nothing lately: give its idle units back. */
    private void giveBackIdle() throws Exception {
      long idle = sale.publishedRemaining();
      if (idle <= 0) {
        return;
      }
      long taken = op(LeaseOp.Kind.TAKE, sale, idle);
      if (taken <= 0) {
        return;
      }
      knownGranted -= taken; // as if it succeeds; the next answer's granted corrects it if not
      Lease after = coordinator.giveBack(nodeId, saleId, (int) Math.min(taken, Integer.MAX_VALUE));
      if (after.active() && after.leaseId() == leaseId) {
        long delta = after.granted() - knownGranted;
        knownGranted = after.granted();
        if (delta > 0) {
          op(LeaseOp.Kind.ADD, sale, delta);
        }
      }
      log.info("seckill cluster: node {} gave {} idle units of sale '{}' back to the pool (another"
          + " node starves)", nodeId, taken, saleId);
    }

    /** The sale's window closed: stop, settle, release; done once released. */
    private long end(long now) throws Exception {
      if (!ending) {
        ending = true;
        sale.leaseDeadlineNanos = 0;
        sale.emptyRefusal = Rejection.ENDED;
        settleSeq = op(LeaseOp.Kind.STOP, sale, 0);
        deadline = 0;
        state = State.SETTLING;
      }
      if (flushedSeq() < settleSeq) {
        return now + POLL_NANOS;
      }
      coordinator.release(nodeId, saleId);
      succeeded();
      released = true; // kept: extendSale may open the window again
      log.info("seckill cluster: node {} released its lease on sale '{}' (the sale is over)",
          nodeId, saleId);
      return now;
    }

    /** Engine close: stop, settle until {@code until}, release. */
    void finish(long until) {
      if (released) {
        return;
      }
      try {
        sale.leaseDeadlineNanos = 0;
        settleSeq = op(LeaseOp.Kind.STOP, sale, 0);
        while (flushedSeq() < settleSeq && System.nanoTime() - until < 0) {
          LockSupport.parkNanos(this, POLL_NANOS);
        }
        if (flushedSeq() < settleSeq) {
          log.warn("seckill cluster: node {} closes with orders of sale '{}' not yet settled;"
              + " its lease is kept (renewed by nobody): the coordinator reaps it after expiry and"
              + " grace, and the orders are settled (or voided) after the next start", nodeId,
              saleId);
          return;
        }
        coordinator.release(nodeId, saleId);
      } catch (Exception e) {
        log.warn("seckill cluster: node {} could not release its lease on sale '{}' at close; the"
            + " coordinator reaps it after expiry and grace", nodeId, saleId, e);
      }
    }
  }

  /** For tests: the thread. */
  Thread thread() {
    return thread;
  }
}
