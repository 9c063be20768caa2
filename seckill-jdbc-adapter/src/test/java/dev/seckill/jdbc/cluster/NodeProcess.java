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
package dev.seckill.jdbc.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The driver's handle on one {@link ClusterNodeMain} child JVM: starts it (again, on the same
 * data directory, after a kill), sends it purchases and matches its answers to them, and kills,
 * stops ({@code SIGSTOP}) or resumes it. {@link #close()} always leaves no process behind.
 */
final class NodeProcess implements AutoCloseable {
  /** One answer; {@code kind} is OK, NO, ERR or LOST (the process died before answering). */
  record Answer(String kind, long orderId, String detail) {
    static final Answer LOST = new Answer("LOST", 0, "");
  }

  final int index;
  final TcpProxy proxy;
  private final List<String> command;
  private final Path log;
  private final Map<Long, CompletableFuture<Answer>> pending = new ConcurrentHashMap<>();
  private volatile Process process;
  private volatile CompletableFuture<Integer> ready = new CompletableFuture<>();
  private volatile CompletableFuture<Void> closed = new CompletableFuture<>();
  private int starts;

  NodeProcess(int index, TcpProxy proxy, List<String> command, Path log) {
    this.index = index;
    this.proxy = proxy;
    this.command = command;
    this.log = log;
  }

  /** Starts the JVM (stderr appended to this node's log); {@link #awaitReady} waits for it. */
  synchronized void start() throws IOException {
    ready = new CompletableFuture<>();
    closed = new CompletableFuture<>();
    starts++;
    Process p = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    process = p;
    Thread reader = new Thread(() -> read(p), "node-" + index + "-reader-" + starts);
    reader.setDaemon(true);
    reader.start();
  }

  /** Waits for {@code READY}; returns the node id. */
  int awaitReady() throws Exception {
    try {
      return ready.get(90, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("node " + index + " not ready within 90 s; see " + log, e);
    }
  }

  /** Sends one purchase of {@code qty} units; the future completes with its answer. */
  CompletableFuture<Answer> buy(long requestNo, String user, int qty) {
    CompletableFuture<Answer> f = new CompletableFuture<>();
    pending.put(requestNo, f);
    Process p = process;
    try {
      synchronized (this) {
        OutputStream os = p.getOutputStream();
        os.write(("BUY " + requestNo + " " + user + " " + qty + "\n")
            .getBytes(StandardCharsets.UTF_8));
        os.flush();
      }
    } catch (IOException e) {
      // the process is dead or dying; the reader completes the pending ones as LOST
      if (!p.isAlive()) {
        failPending();
      }
    }
    return f;
  }

  /** Request numbers sent to this node and not answered yet. */
  java.util.Set<Long> pendingRequests() {
    return new java.util.HashSet<>(pending.keySet());
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** {@code kill -9}; waits until the process is gone; its unanswered purchases become LOST. */
  void kill9() throws InterruptedException {
    Process p = process;
    p.destroyForcibly();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("node " + index + " survived kill -9");
    }
    closed.join(); // the reader has drained stdout and failed what was pending
  }

  /** {@code kill -STOP}: the JVM freezes, sockets and all, like a long GC pause. */
  void stop() throws Exception {
    signal("STOP");
  }

  /** {@code kill -CONT}. */
  void cont() throws Exception {
    signal("CONT");
  }

  /** Asks the node to close its engine (ending its leases) and waits for it to exit. */
  void closeGracefully() throws Exception {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    synchronized (this) {
      try {
        OutputStream os = p.getOutputStream();
        os.write("CLOSE\n".getBytes(StandardCharsets.UTF_8));
        os.flush();
      } catch (IOException e) {
        // died meanwhile
      }
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("node " + index + " did not close within 60 s; see " + log);
    }
    closed.join();
    if (p.exitValue() != 0) {
      throw new AssertionError("node " + index + " exited with " + p.exitValue() + "; see " + log);
    }
  }

  /** Kills the process if it still runs (resuming it first in case it is stopped). */
  @Override
  public void close() {
    Process p = process;
    if (p != null && p.isAlive()) {
      try {
        signal("CONT");
      } catch (Exception e) {
        // kill anyway
      }
      p.destroyForcibly();
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void signal(String sig) throws Exception {
    Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid()))
        .redirectErrorStream(true).start();
    if (!k.waitFor(30, TimeUnit.SECONDS) || k.exitValue() != 0) {
      throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
    }
  }

  private void read(Process p) {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.split(" ", 3);
        switch (f[0]) {
          case "READY":
            ready.complete(Integer.parseInt(f[1]));
            break;
          case "OK":
            answer(f[1], new Answer("OK", Long.parseLong(f[2]), ""));
            break;
          case "NO":
          case "ERR":
            answer(f[1], new Answer(f[0], 0, f.length > 2 ? f[2] : ""));
            break;
          default:
            break; // CLOSED, or noise
        }
      }
    } catch (IOException e) {
      // the process died
    } finally {
      if (!ready.isDone()) {
        String tail;
        try {
          List<String> lines = java.nio.file.Files.readAllLines(log);
          tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
          tail = e.toString();
        }
        ready.completeExceptionally(new AssertionError("node " + index
            + " exited before READY; " + log + " ends with:\n" + tail));
      }
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      failPending();
      closed.complete(null);
    }
  }

  private void answer(String req, Answer a) {
    if (req.equals("?")) {
      return;
    }
    CompletableFuture<Answer> f = pending.remove(Long.parseLong(req));
    if (f != null) {
      f.complete(a);
    }
  }

  private void failPending() {
    for (Long req : new ArrayList<>(pending.keySet())) {
      CompletableFuture<Answer> f = pending.remove(req);
      if (f != null) {
        f.complete(Answer.LOST);
      }
    }
  }
}
