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

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every builder check, with the message it gives: the field and the value. */
class ValidationTest {
  static final Instant T = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;

  @Test
  void saleIdIsChecked() {
    assertThatThrownBy(() -> Sale.builder(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("id must not be blank, was null");
    assertThatThrownBy(() -> Sale.builder("  ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("id must not be blank, was \"  \"");
    assertThatThrownBy(() -> Sale.builder("x".repeat(129))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("id must be at most 128 characters, was 129");
    assertThatThrownBy(() -> Sale.builder("a\nb")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control characters");
  }

  @Test
  void saleFieldsAreChecked() {
    assertThatThrownBy(() -> Sale.builder("s").stock(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stock must be at least 0, was -1");
    assertThatThrownBy(() -> Sale.builder("s").limitPerUser(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limitPerUser must be at least 1, was 0");
    assertThatThrownBy(() -> Sale.builder("s").maxPerRequest(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxPerRequest must be at least 1, was 0");
    assertThatThrownBy(() -> Sale.builder("s").stock(1).stock(2)).isInstanceOf(IllegalStateException.class)
        .hasMessage("stock was already set to 1");
    assertThatThrownBy(() -> Sale.builder("s").startsAt(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("startsAt");
  }

  @Test
  void saleBuildChecksWhatDependsOnOtherFields() {
    assertThatThrownBy(() -> Sale.builder("s").startsAt(T).endsAt(T.plusSeconds(1)).limitPerUser(1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("stock is required for sale \"s\"");
    assertThatThrownBy(() -> Sale.builder("s").stock(1).endsAt(T).limitPerUser(1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("startsAt is required for sale \"s\"");
    assertThatThrownBy(() -> Sale.builder("s").stock(1).startsAt(T).limitPerUser(1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("endsAt is required for sale \"s\"");
    assertThatThrownBy(() -> Sale.builder("s").stock(1).startsAt(T).endsAt(T).limitPerUser(1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endsAt must be after startsAt, was endsAt=" + T + " startsAt=" + T);
    assertThatThrownBy(() -> Sale.builder("s").stock(1).startsAt(T).endsAt(T.plusSeconds(1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("limitPerUser is required for sale \"s\"");
    assertThatThrownBy(() -> Sale.builder("s").stock(1).startsAt(T).endsAt(T.plusSeconds(1))
        .limitPerUser(2).maxPerRequest(3).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxPerRequest must be at most limitPerUser (2), was 3");
    Sale ok = Sale.builder("s").stock(0).startsAt(T).endsAt(T.plusSeconds(1)).limitPerUser(3).build();
    assertThat(ok.maxPerRequest()).isEqualTo(3);
  }

  @Test
  void engineSettingsAreChecked() {
    assertThatThrownBy(() -> SeckillEngine.builder().build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataDir is required: call dataDir(Path) before build()");
    assertThatThrownBy(() -> SeckillEngine.builder().shards(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shards must be between 1 and 64, was 0");
    assertThatThrownBy(() -> SeckillEngine.builder().ringSize(100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ringSize must be a power of two between 64 and 16777216, was 100");
    assertThatThrownBy(() -> SeckillEngine.builder().maxUsersPerShard(1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxUsersPerShard must be between 16 and 4294967296, was 1");
    assertThatThrownBy(() -> SeckillEngine.builder().outboxCapacityPerShard(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("outboxCapacityPerShard must be between 16 and 4294967296, was 0");
    assertThatThrownBy(() -> SeckillEngine.builder().maxSalesPerShard(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSalesPerShard must be between 1 and 1000000, was 0");
    assertThatThrownBy(() -> SeckillEngine.builder().flushBatchSize(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("flushBatchSize must be between 1 and 100000, was 0");
    assertThatThrownBy(() -> SeckillEngine.builder().flushMaxDelay(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("flushMaxDelay must be between PT0.001S and PT1M, was PT0S");
    assertThatThrownBy(() -> SeckillEngine.builder().flushRetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("flushRetryBackoff initial must be at most max, was initial=PT2S max=PT1S");
    assertThatThrownBy(() -> SeckillEngine.builder().closeTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("closeTimeout must be between PT0S and PT1H, was PT-1S");
    assertThatThrownBy(() -> SeckillEngine.builder().dataDir(dir).dataDir(dir))
        .isInstanceOf(IllegalStateException.class).hasMessage("dataDir was already set to " + dir);
    assertThatThrownBy(() -> SeckillEngine.builder().ringSize(64).ringSize(128))
        .isInstanceOf(IllegalStateException.class).hasMessage("ringSize was already set to 64");
  }

  @Test
  void aRejectedValueLeavesTheSettingUnsetAndBuildChangesNothing() {
    SeckillEngine.Builder builder = SeckillEngine.builder().dataDir(dir).maxUsersPerShard(1000);
    assertThatThrownBy(() -> builder.ringSize(100)).isInstanceOf(IllegalArgumentException.class);
    builder.ringSize(128); // the refused value did not count as set
    Sale sale = Sale.builder("s").stock(1).startsAt(T).endsAt(T.plusSeconds(60)).limitPerUser(1).build();
    try (SeckillEngine first = builder.build()) {
      first.registerSale(sale);
    }
    try (SeckillEngine again = builder.build()) { // the same settings, the same directory
      assertThat(again.sales()).containsExactly(sale);
    }
    assertThatThrownBy(() -> builder.ringSize(256)).isInstanceOf(IllegalStateException.class)
        .hasMessage("ringSize was already set to 128");
  }

  @Test
  void settingsFixedAtCreationCannotChange() {
    SeckillEngine.builder().dataDir(dir).shards(2).maxUsersPerShard(1000).build().close();
    assertThatThrownBy(() -> SeckillEngine.builder().dataDir(dir).shards(3).maxUsersPerShard(1000).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was created with shards=2 but the engine is configured with shards=3");
    // The failed attempt released the directory: the right settings still open it.
    SeckillEngine.builder().dataDir(dir).shards(2).maxUsersPerShard(1000).build().close();
  }

  @Test
  void oneEnginePerDataDirectory() {
    try (SeckillEngine first = SeckillEngine.builder().dataDir(dir).maxUsersPerShard(1000).build()) {
      assertThat(first.isClosed()).isFalse();
      assertThatThrownBy(() -> SeckillEngine.builder().dataDir(dir).maxUsersPerShard(1000).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("is in use by another seckill engine");
    }
  }
}
