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

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * An engine's data directory: holds it exclusively for the engine's lifetime (so two engines, in
 * one JVM or two, never write the same ledger) and the settings the ledger files were created
 * with, which must not change while the files exist.
 *
 * <p>Two guards, because an OS file lock alone cannot keep the promise inside one JVM: on Linux
 * the lock is the process's, and closing <em>any</em> descriptor of the file releases it. So a
 * JVM-wide set of held directories, keyed by real path (symlinks resolved), is claimed atomically
 * before {@code seckill.lock} is opened: a second open in the same JVM is refused without opening
 * (or closing) a descriptor of the file. Across JVMs, {@code seckill.lock} is locked with
 * {@link FileChannel#tryLock()} and records the holder's process id. (The set belongs to this
 * class's loader; if the file is nonetheless locked in this JVM, by an engine from another class
 * loader for example, the refused open keeps its channel open rather than drop that lock.)
 *
 * <pre>
 * dataDir/
 *   seckill.lock          OS lock; released by the OS even after kill -9; holds the holder's pid
 *   engine.properties     format version and the settings fixed at creation
 *   shard-N/              one per shard: users.cm3, outbox.cm3, counters.cm3,
 *                         sales.properties, CLEAN (present only while closed cleanly),
 *                         dead-letters.jsonl (orders the sink refused for good, if any),
 *                         CREATING (present only while a first open creates the files)
 * </pre>
 */
final class DataDirectory implements AutoCloseable {
  private static final String FORMAT_VERSION = "1";
  private static final String LOCK_FILE = "seckill.lock";
  /** Real paths of the directories engines in this JVM hold (or are opening). */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
  /**
   * Channels that must never be closed: opened on a lock file that was already locked in this JVM
   * outside {@link #HELD} (closing them would release that lock). Rare: see the class comment.
   */
  private static final Set<FileChannel> PARKED = ConcurrentHashMap.newKeySet();

  private final Path root;
  private final Path realRoot;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The stored cluster node id, 0 if not clustered; set by checkSettings during open. */
  private int nodeId;
  /** The property holding the node id in engine.properties. */
  static final String NODE_ID = "nodeId";
  /** The largest node id (order ids keep it in their top 16 bits, sign bit clear). */
  static final int MAX_NODE_ID = 32_767;

  private DataDirectory(Path root, Path realRoot, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.realRoot = realRoot;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates the directory if needed, takes it for this engine and checks the fixed settings.
   *
   * @param fixedSettings settings that must match those the directory was created with
   * @throws IllegalStateException if another engine (in this JVM or another process) holds the
   *     directory, naming it and the holder; or if a fixed setting differs, naming the setting,
   *     the stored value and the requested one
   */
  public static DataDirectory open(Path root, Map<String, String> fixedSettings) throws IOException {
    return open(root, fixedSettings, null);
  }

  /**
   * {@link #open(Path, Map)} for an engine in cluster mode if {@code newNodeId} is not null: on
   * the directory's first start it is called once and its answer (1 to 32,767) is stored with the
   * fixed settings as {@code nodeId}; later starts read the stored id ({@link #nodeId()}), never
   * calling it. A directory created in cluster mode cannot be opened without it, nor one created
   * without it with it: the error names both.
   *
   * @throws IllegalStateException as for {@link #open(Path, Map)}, for a cluster mismatch, or if
   *     {@code newNodeId} failed or answered out of range (the directory is left uncreated)
   */
  public static DataDirectory open(Path root, Map<String, String> fixedSettings,
      @Nullable Callable<Integer> newNodeId) throws IOException {
    Files.createDirectories(root);
    Path real = root.toRealPath();
    String name = "dataDir " + root + (real.equals(root) ? "" : " (" + real + ")");
    if (!HELD.add(real)) {
      // Never touch seckill.lock here: closing a descriptor of it would drop the holder's lock.
      throw new IllegalStateException(name + " is in use by another seckill engine in this JVM"
          + " (pid " + ProcessHandle.current().pid() + "); close that engine first:"
          + " one engine per data directory");
    }
    FileChannel channel = null;
    FileLock lock;
    boolean parked = false;
    try {
      Path lockFile = real.resolve(LOCK_FILE);
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        // The file is locked in this JVM, but not through this class's claim: by an engine
        // loaded by another class loader, through another real path (a bind mount), or by
        // other code. Keep the channel open for good: closing it would release that lock.
        PARKED.add(channel);
        parked = true;
        throw new IllegalStateException(name + " is in use in this JVM: its " + LOCK_FILE
            + " is already locked (by an engine from another class loader, through another path,"
            + " or by other code)", e);
      }
      if (lock == null) {
        // Held by another process; this process holds no lock on the file, so reading it and
        // closing our channel release nothing.
        String holder = holderPid(lockFile);
        throw new IllegalStateException(name + " is in use by another seckill engine in another"
            + " process (" + (holder == null ? "its " + LOCK_FILE + " is locked"
                : "pid " + holder + " holds its " + LOCK_FILE) + "); one engine per data directory");
      }
      recordPid(channel);
    } catch (Throwable e) {
      if (channel != null && channel.isOpen() && !parked) {
        try {
          channel.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      // After the channel is closed: a new claim must not see its descriptor close under it.
      HELD.remove(real);
      throw e;
    }
    DataDirectory dir = new DataDirectory(root, real, channel, lock); // owns channel and claim now
    try {
      dir.checkSettings(fixedSettings, newNodeId);
    } catch (Throwable e) {
      dir.close();
      throw e;
    }
    return dir;
  }

  private static void recordPid(FileChannel channel) throws IOException {
    byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
    channel.truncate(0);
    ByteBuffer buffer = ByteBuffer.wrap(pid);
    long position = 0;
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
  }

  /** The pid the holder recorded, or null if none is recorded (yet). */
  private static @Nullable String holderPid(Path lockFile) {
    try {
      String text = Files.readString(lockFile, StandardCharsets.US_ASCII).trim();
      return text.matches("[0-9]{1,19}") ? text : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private void checkSettings(Map<String, String> fixed, @Nullable Callable<Integer> newNodeId)
      throws IOException {
    Path file = realRoot.resolve("engine.properties");
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
      String storedNode = stored.getProperty(NODE_ID);
      if (storedNode == null && newNodeId != null) {
        throw new IllegalStateException("dataDir " + root + " was created without cluster mode"
            + " (no nodeId in engine.properties) but the engine is configured with a cluster;"
            + " a data directory cannot join a cluster: use a new dataDir for a clustered engine");
      }
      if (storedNode != null && newNodeId == null) {
        throw new IllegalStateException("dataDir " + root + " was created in cluster mode"
            + " (nodeId=" + storedNode + ") but the engine is configured without a cluster;"
            + " configure the same cluster (SeckillEngine.Builder.cluster) or use a new dataDir");
      }
      if (storedNode != null) {
        nodeId = parseNodeId(storedNode);
      }
      return;
    }
    Properties p = new Properties();
    p.putAll(wanted);
    if (newNodeId != null) {
      int id;
      try {
        id = newNodeId.call();
      } catch (Exception e) {
        throw new IllegalStateException("dataDir " + root + " is new and needs a cluster node id,"
            + " but the coordinator's newNodeId() failed: " + e.getMessage(), e);
      }
      if (id < 1 || id > MAX_NODE_ID) {
        throw new IllegalStateException("the coordinator's newNodeId() must answer 1 to "
            + MAX_NODE_ID + ", answered " + id);
      }
      nodeId = id;
      p.setProperty(NODE_ID, Integer.toString(id));
    }
    Path tmp = realRoot.resolve("engine.properties.tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      p.store(out, "seckill engine settings fixed at creation; do not edit");
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** The directory of shard {@code index}. */
  private int parseNodeId(String stored) {
    try {
      int id = Integer.parseInt(stored.trim());
      if (id >= 1 && id <= MAX_NODE_ID) {
        return id;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalStateException("dataDir " + root + " has nodeId=" + stored
        + " in engine.properties, which is not 1 to " + MAX_NODE_ID + "; the file is damaged");
  }

  /**
   * The cluster node id stored with the directory's fixed settings; 0 if it was created without
   * cluster mode.
   */
  public int nodeId() {
    return nodeId;
  }

  public Path shardDirectory(int index) {
    return shardDirectory(realRoot, index);
  }

  /** The directory of shard {@code index} under the data directory {@code root}. */
  public static Path shardDirectory(Path root, int index) {
    return root.resolve("shard-" + index);
  }

  /** The root directory. */
  public Path root() {
    return root;
  }

  /** Releases the directory. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    IOException failure = null;
    try {
      lock.release();
    } catch (IOException e) {
      failure = e;
    }
    try {
      lockChannel.close(); // releases the OS lock in any case
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    // Only now: a later claim must not have its lock dropped by this channel's close.
    HELD.remove(realRoot);
    if (failure != null) {
      throw new UncheckedIOException("could not release the lock on " + root, failure);
    }
  }
}
