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

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A small tmpfs mounted for a test, to run out of disk space for real. Needs root (CI and the
 * dev machines run as root); elsewhere the test is skipped with a message.
 */
public final class Tmpfs implements AutoCloseable {
  private final Path mountPoint;

  private Tmpfs(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  /** Mounts a tmpfs of {@code bytes} on a new directory, or skips the calling test. */
  public static Tmpfs mount(long bytes) throws IOException, InterruptedException {
    assumeTrue("root".equals(System.getProperty("user.name")),
        "skipped: mounting a small tmpfs to fill the disk needs root, running as "
            + System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("seckill-tmpfs");
    int rc = run("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString());
    if (rc != 0) {
      Files.deleteIfExists(dir);
    }
    assumeTrue(rc == 0, "skipped: 'mount -t tmpfs' failed (exit " + rc
        + "); the sandbox does not allow mounts");
    return new Tmpfs(dir);
  }

  /** The mount point. */
  public Path path() {
    return mountPoint;
  }

  /** Writes a file until the file system is full; returns its path. */
  public Path fill() throws IOException {
    Path filler = mountPoint.resolve("filler");
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(filler)) {
      for (int i = 0; i < 1 << 20; i++) { // bounded: 64 GiB, far beyond any test tmpfs
        out.write(block);
      }
    } catch (IOException full) {
      // No space left on device: the file system is full.
    }
    try (OutputStream out = Files.newOutputStream(mountPoint.resolve("filler-small"))) {
      for (int i = 0; i < 64; i++) {
        out.write(new byte[1024]); // the last partial block
      }
    } catch (IOException full) {
      // full
    }
    return filler;
  }

  /** Files whose name ends with {@code suffix} anywhere under the mount point. */
  public List<Path> filesEndingWith(String suffix) throws IOException {
    try (Stream<Path> all = Files.walk(mountPoint)) {
      return all.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run("umount", mountPoint.toString());
    Files.deleteIfExists(mountPoint);
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
