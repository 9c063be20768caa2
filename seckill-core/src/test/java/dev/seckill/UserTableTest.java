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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The users table on its own: lookups and inserts across the probe wrap and several mappings, the
 * count after a clean close and after a crash, a torn insert, a damaged header.
 */
class UserTableTest {
  @TempDir Path dir;

  static UserKey key(UserTable t, int sale, String id) {
    UserKey k = new UserKey();
    t.keys().hash(sale, id, k);
    return k;
  }

  static void put(UserTable t, String id, long units) {
    UserKey k = key(t, 0, id);
    long slot = t.find(k);
    if (slot >= 0) {
      t.setUnits(slot, units);
    } else {
      t.insert(-1 - slot, k, units);
    }
  }

  static long get(UserTable t, String id) {
    long slot = t.find(key(t, 0, id));
    return slot >= 0 ? t.units(slot) : -1;
  }

  @Test
  void aFullTableFindsEveryKeyAndKeepsThemAcrossACleanClose() throws IOException {
    Path f = dir.resolve(UserTable.FILE);
    try (UserTable t = UserTable.create(f, 16, true)) {
      assertThat(t.capacity()).isEqualTo(27);
      for (int i = 0; i < 16; i++) {
        put(t, "u" + i, i + 1);
      }
      put(t, "u3", 40); // an update, not a new slot
      assertThat(t.count()).isEqualTo(16);
      assertThat(get(t, "u3")).isEqualTo(40);
      assertThat(get(t, "nobody")).isEqualTo(-1);
    }
    try (UserTable t = UserTable.open(f, true)) {
      assertThat(t.count()).as("stored at the clean close").isEqualTo(16);
      for (int i = 0; i < 16; i++) {
        assertThat(get(t, "u" + i)).as("u%d", i).isEqualTo(i == 3 ? 40 : i + 1);
      }
    }
  }

  @Test
  void manyMappingsAndACrashCountedByAScan() throws IOException {
    Path f = dir.resolve(UserTable.FILE);
    String old = System.setProperty(UserTable.CHUNK_SHIFT_PROPERTY, "7"); // 128 slots a mapping
    try {
      UserTable t = UserTable.create(f, 1_000, false);
      for (int i = 0; i < 1_000; i++) {
        put(t, "user-" + i, 1);
      }
      assertThat(t.count()).isEqualTo(1_000);
      t.abandon(); // as a kill -9 leaves it: the stored count reads "open"
      try (UserTable r = UserTable.open(f, true)) {
        assertThat(r.count()).as("counted by a scan").isEqualTo(1_000);
        for (int i = 0; i < 1_000; i++) {
          assertThat(get(r, "user-" + i)).as("user-%d", i).isEqualTo(1);
        }
      }
    } finally {
      if (old == null) {
        System.clearProperty(UserTable.CHUNK_SHIFT_PROPERTY);
      } else {
        System.setProperty(UserTable.CHUNK_SHIFT_PROPERTY, old);
      }
    }
  }

  @Test
  void anInsertCutBeforeItsCommitWordReadsAsAnEmptySlot() throws IOException {
    Path f = dir.resolve(UserTable.FILE);
    long slot;
    UserTable t = UserTable.create(f, 100, true);
    put(t, "alice", 1);
    UserKey bob = key(t, 0, "bob");
    slot = -1 - t.find(bob);
    t.insert(slot, bob, 1);
    t.abandon();
    // kill -9 between the lo store and the hi store: units and lo written, hi still 0.
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer zero = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0).flip();
      ch.write(zero, UserTable.HEADER_BYTES + slot * UserTable.SLOT_BYTES);
    }
    try (UserTable r = UserTable.open(f, true)) {
      assertThat(r.count()).isEqualTo(1);
      assertThat(get(r, "alice")).isEqualTo(1);
      assertThat(get(r, "bob")).as("absent: replay writes it again").isEqualTo(-1);
      put(r, "bob", 1);
      assertThat(get(r, "bob")).isEqualTo(1);
      assertThat(r.count()).isEqualTo(2);
    }
  }

  @Test
  void aDamagedHeaderIsRefusedWithTheReason() throws IOException {
    Path f = dir.resolve(UserTable.FILE);
    UserTable.create(f, 100, false).close();
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1}), 20); // inside the capacity word
    }
    assertThatThrownBy(() -> UserTable.open(f, false)).isInstanceOf(IOException.class)
        .hasMessageContaining(f.toString()).hasMessageContaining("header is damaged");
  }

  @Test
  void theFileIsTheSizeItsBoundSays() throws IOException {
    Path f = dir.resolve(UserTable.FILE);
    UserTable.create(f, 1_000_000, false).close();
    assertThat(f.toFile().length()).isEqualTo(UserTable.bytesFor(1_000_000))
        .isEqualTo(4096 + 1_666_667L * 32);
  }
}
