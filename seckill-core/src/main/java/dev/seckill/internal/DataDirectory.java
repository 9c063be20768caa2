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
package dev.seckill.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * An engine's data directory: holds an exclusive OS lock for the engine's lifetime (so two
 * engines, in one JVM or two, never write the same ledger) and the settings the ledger files were
 * created with, which must not change while the files exist.
 *
 * <pre>
 * dataDir/
 *   seckill.lock          OS lock; released by the OS even after kill -9
 *   engine.properties     format version and the settings fixed at creation
 *   shard-N/              one per shard: users.cm3, outbox.cm3, counters.cm3,
 *                         sales.properties, CLEAN (present only while closed cleanly),
 *                         CREATING (present only while a first open creates the files)
 * </pre>
 */
public final class DataDirectory implements AutoCloseable {
  private static final String FORMAT_VERSION = "1";
  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates the directory if needed, takes its lock and checks the fixed settings.
   *
   * @param fixedSettings settings that must match those the directory was created with
   * @throws IllegalStateException if another engine holds the directory or a fixed setting
   *     differs, naming the setting, the stored value and the requested one
   */
  public static DataDirectory open(Path root, Map<String, String> fixedSettings) throws IOException {
    Files.createDirectories(root);
    FileChannel channel = FileChannel.open(root.resolve("seckill.lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException("dataDir " + root
          + " is in use by another seckill engine (its seckill.lock is held)");
    }
    DataDirectory dir = new DataDirectory(root, channel, lock);
    try {
      dir.checkSettings(fixedSettings);
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
    return dir;
  }

  private void checkSettings(Map<String, String> fixed) throws IOException {
    Path file = root.resolve("engine.properties");
    Map<String, String> wanted = new LinkedHashMap<>();
    wanted.put("formatVersion", FORMAT_VERSION);
    wanted.putAll(fixed);
    if (Files.exists(file)) {
      Properties stored = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        stored.load(in);
      }
      for (Map.Entry<String, String> e : wanted.entrySet()) {
        String was = stored.getProperty(e.getKey());
        if (!e.getValue().equals(was)) {
          throw new IllegalStateException("dataDir " + root + " was created with " + e.getKey()
              + "=" + was + " but the engine is configured with " + e.getKey() + "="
              + e.getValue() + "; this setting cannot change while the ledger files exist");
        }
      }
      return;
    }
    Properties p = new Properties();
    p.putAll(wanted);
    Path tmp = root.resolve("engine.properties.tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      p.store(out, "seckill engine settings fixed at creation; do not edit");
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** The directory of shard {@code index}. */
  public Path shardDirectory(int index) {
    return shardDirectory(root, index);
  }

  /** The directory of shard {@code index} under the data directory {@code root}. */
  public static Path shardDirectory(Path root, int index) {
    return root.resolve("shard-" + index);
  }

  /** The root directory. */
  public Path root() {
    return root;
  }

  @Override
  public void close() {
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not release the lock on " + root, e);
    }
  }
}
