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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One engine per data directory, across threads, JVMs and symlinked paths; and a refused open
 * never weakens the lock the running engine holds (on Linux, closing any descriptor of a file
 * drops the whole process's lock on it, so a refusal in the same JVM must not open one).
 */
class DirectoryLockTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final String IN_THIS_JVM = "is in use by another seckill engine in this JVM";
  static final String IN_ANOTHER_PROCESS = "is in use by another seckill engine in another process";

  @TempDir Path dir;

  static SeckillEngine open(Path data) {
    return SeckillEngine.builder().dataDir(data).clock(Clock.fixed(START, ZoneOffset.UTC))
        .maxUsersPerShard(1_000).outboxCapacityPerShard(1_000).maxSalesPerShard(16).build();
  }

  static Sale sale() {
    return Sale.builder("s").stock(10).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(1).build();
  }

  @Test
  void aRefusedSecondOpenInThisJvmLeavesTheDirectoryLockedAgainstOtherProcesses() throws Exception {
    Path data = dir.resolve("data");
    try (SeckillEngine first = open(data)) {
      first.registerSale(sale());
      assertThatThrownBy(() -> open(data)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("dataDir " + data).hasMessageContaining(IN_THIS_JVM);

      assertAnotherProcessIsRefused(data);

      assertThat(first.submit(PurchaseRequest.of("s", "alice", 1)).join().isConfirmed()).isTrue();
    }
    try (SeckillEngine again = open(data)) {
      assertThat(again.snapshot("s").unitsSold()).isEqualTo(1);
      assertThat(again.submit(PurchaseRequest.of("s", "bob", 1)).join().orderId()).isEqualTo(2);
    }
  }

  @Test
  void aSymlinkToTheDirectoryIsTheSameDirectory() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), data);
    try (SeckillEngine first = open(data)) {
      assertThatThrownBy(() -> open(link)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("dataDir " + link).hasMessageContaining(data.toRealPath().toString())
          .hasMessageContaining(IN_THIS_JVM);
      assertAnotherProcessIsRefused(link);
    }
    try (SeckillEngine viaLink = open(link)) {
      assertThatThrownBy(() -> open(data)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(IN_THIS_JVM);
      assertAnotherProcessIsRefused(data);
    }
  }

  @Test
  void threadsRacingToOpenTheDirectoryGetOneEngine() throws Exception {
    Path data = dir.resolve("data");
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<SeckillEngine>> attempts = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      attempts.add(pool.submit(() -> {
        ready.countDown();
        go.await();
        return open(data);
      }));
    }
    ready.await();
    go.countDown();
    List<SeckillEngine> opened = new ArrayList<>();
    List<Throwable> refused = new ArrayList<>();
    for (Future<SeckillEngine> attempt : attempts) {
      try {
        opened.add(attempt.get(5, TimeUnit.MINUTES));
      } catch (java.util.concurrent.ExecutionException e) {
        refused.add(e.getCause());
      }
    }
    pool.shutdown();
    try {
      assertThat(opened).hasSize(1);
      assertThat(refused).hasSize(threads - 1).allSatisfy(e -> assertThat(e)
          .isInstanceOf(IllegalStateException.class).hasMessageContaining(IN_THIS_JVM));
      assertAnotherProcessIsRefused(data);
    } finally {
      opened.forEach(SeckillEngine::close);
    }
    open(data).close();
  }

  @Test
  void closeReleasesTheDirectoryToThisJvmAndToOthers() throws Exception {
    Path data = dir.resolve("data");
    open(data).close();
    open(data).close();
    try (Child child = Child.start(data, dir)) {
      assertThat(child.nextLine()).isEqualTo("OPENED");
      assertThatThrownBy(() -> open(data)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("dataDir " + data).hasMessageContaining(IN_ANOTHER_PROCESS)
          .hasMessageContaining("pid " + child.process.pid());
      child.release();
      assertThat(child.nextLine()).isEqualTo("CLOSED");
      assertThat(child.exitValue()).isZero();
    }
    try (SeckillEngine again = open(data)) {
      assertThat(again.isClosed()).isFalse();
    }
  }

  @Test
  void aLockOtherCodeInThisJvmHoldsSurvivesARefusedOpen() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    try (FileChannel channel = FileChannel.open(data.resolve("seckill.lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = channel.lock()) {
      assertThatThrownBy(() -> open(data)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("dataDir " + data).hasMessageContaining("is in use in this JVM");
      assertThat(held.isValid()).isTrue();
      assertAnotherProcessIsRefused(data, "its seckill.lock is locked");
    }
    open(data).close();
  }

  private void assertAnotherProcessIsRefused(Path data) throws Exception {
    assertAnotherProcessIsRefused(data, "pid " + ProcessHandle.current().pid());
  }

  private void assertAnotherProcessIsRefused(Path data, String holder) throws Exception {
    try (Child child = Child.start(data, dir)) {
      String line = child.nextLine();
      assertThat(line).as("a child JVM opening %s while this JVM holds it", data)
          .startsWith("REFUSED ").contains(IN_ANOTHER_PROCESS).contains(holder);
      assertThat(child.exitValue()).isZero();
    }
  }

  /** A {@link DirectoryLockChild} in its own JVM. */
  private static final class Child implements AutoCloseable {
    final Process process;
    final BufferedReader out;

    private Child(Process process) {
      this.process = process;
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static Child start(Path data, Path logDir) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.addAll(JvmFlags.REQUIRED);
      cmd.add("-Dchronicle.analytics.disable=true");
      cmd.add("-Dchronicle.announcer.disable=true");
      cmd.add("-Xmx128m");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(DirectoryLockChild.class.getName());
      cmd.add(data.toString());
      return new Child(new ProcessBuilder(cmd)
          .redirectError(ProcessBuilder.Redirect.appendTo(logDir.resolve("child-stderr.txt").toFile()))
          .start());
    }

    /**
     * The child's next line of output. The bound is a guard, not a timing assertion: a child that
     * wrongly gets the lock runs Chronicle's recovery on files this JVM is writing and can hang.
     */
    String nextLine() throws Exception {
      CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      try {
        return line.get(2, TimeUnit.MINUTES);
      } catch (TimeoutException e) {
        throw new AssertionError("the child JVM printed nothing for 2 minutes: it got past the"
            + " directory lock and hangs opening the ledger (see child-stderr.txt)", e);
      }
    }

    /** Lets a child that opened the engine close it and exit. */
    void release() throws IOException {
      process.getOutputStream().close();
    }

    int exitValue() throws InterruptedException {
      assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("child exited").isTrue();
      return process.exitValue();
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close();
      if (!process.waitFor(1, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        process.waitFor(1, TimeUnit.MINUTES);
      }
    }
  }
}
