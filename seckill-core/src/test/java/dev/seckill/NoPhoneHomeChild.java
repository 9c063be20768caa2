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

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Permission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * The application of {@link NoPhoneHomeTest}: a plain program (no test framework on its class
 * path, so Chronicle does not think it runs under a test) that opens an engine, sells one unit
 * and closes it. A security manager records every outbound connection attempt and name lookup as
 * a {@code CONNECT host:port} line on standard output and permits everything. At the end it
 * prints whether JUnit is on its class path ({@code JUNIT false false}: Chronicle checks the
 * same two classes and skips analytics under a test), {@code THREADS} and the names of the live
 * threads that mention analytics, then {@code DONE}. Runs in a child JVM started with {@code -Djava.security.manager=allow}.
 *
 * <p>Argument: dataDir.
 */
@SuppressWarnings("removal") // SecurityManager: the one in-process hook that sees every connect
public final class NoPhoneHomeChild {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  private NoPhoneHomeChild() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    System.setSecurityManager(new SecurityManager() {
      @Override
      public void checkConnect(String host, int port) {
        out.println("CONNECT " + host + ":" + port);
      }

      @Override
      public void checkConnect(String host, int port, Object context) {
        out.println("CONNECT " + host + ":" + port);
      }

      @Override
      public void checkPermission(Permission perm) {
        // everything else is allowed
      }

      @Override
      public void checkPermission(Permission perm, Object context) {
        // everything else is allowed
      }
    });
    try (SeckillEngine engine = SeckillEngine.builder().dataDir(Path.of(args[0]))
        .clock(Clock.fixed(START, ZoneOffset.UTC)).maxUsersPerShard(1_000)
        .outboxCapacityPerShard(1_000).maxSalesPerShard(16).build()) {
      engine.registerSale(Sale.builder("s").stock(10).startsAt(START)
          .endsAt(START.plus(Duration.ofHours(1))).limitPerUser(1).build());
      PurchaseResult r = engine.submit(PurchaseRequest.of("s", "alice", 1)).join();
      out.println(r.isConfirmed() ? "CONFIRMED" : "REFUSED " + r.rejection());
    }
    // Chronicle sends from a daemon thread; let a started sender finish so its attempts show.
    for (Thread t : analyticsThreads()) {
      while (t.isAlive() && !idle(t)) {
        LockSupport.parkNanos(10_000_000L);
      }
    }
    out.println("JUNIT " + present("org.junit.jupiter.api.Test") + " " + present("org.junit.Test"));
    out.println("THREADS " + analyticsThreads().stream().map(Thread::getName)
        .collect(Collectors.joining(",")));
    out.println("DONE");
  }

  private static boolean present(String className) {
    try {
      Class.forName(className);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static Set<Thread> analyticsThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().toLowerCase(java.util.Locale.ROOT).contains("analytics"))
        .collect(Collectors.toSet());
  }

  /** Waiting for work: parked in its executor's queue. */
  private static boolean idle(Thread t) {
    if (t.getState() != Thread.State.WAITING) {
      return false;
    }
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getMethodName().equals("take") || e.getMethodName().equals("getTask")) {
        return true;
      }
    }
    return false;
  }
}
