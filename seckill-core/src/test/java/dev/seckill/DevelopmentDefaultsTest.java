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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code developmentDefaults()}: small files for a hello world; explicit sizes still win. */
class DevelopmentDefaultsTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START);

  static Sale sale(long stock) {
    return Sale.builder("s").stock(stock).startsAt(START).endsAt(START.plus(Duration.ofHours(1)))
        .limitPerUser(1).build();
  }

  @Test
  void thePresetMakesFilesFarSmallerThanTheProductionDefaults() throws IOException {
    Path small = dir.resolve("small");
    Path production = dir.resolve("production");
    try (SeckillEngine e = SeckillEngine.builder().dataDir(small).clock(clock)
        .developmentDefaults().build()) {
      e.registerSale(sale(10));
      assertThat(e.submit(PurchaseRequest.of("s", "alice", 1)).join().isConfirmed()).isTrue();
    }
    try (SeckillEngine e = SeckillEngine.builder().dataDir(production).clock(clock).build()) {
      e.registerSale(sale(10));
    }
    long smallBytes = bytes(small);
    long productionBytes = bytes(production);
    assertThat(smallBytes).as("development files vs production files (%d bytes)", productionBytes)
        .isLessThan(productionBytes / 20);
  }

  @Test
  void anExplicitSizeWinsWhateverTheOrderOfTheCalls() {
    try (SeckillEngine e = SeckillEngine.builder().maxUsersPerShard(16).dataDir(dir).clock(clock)
        .developmentDefaults().build()) {
      e.registerSale(sale(100));
      for (int i = 0; i < 16; i++) {
        assertThat(e.submit(PurchaseRequest.of("s", "user-" + i, 1)).join().isConfirmed()).isTrue();
      }
      assertThat(e.submit(PurchaseRequest.of("s", "user-16", 1)).join().rejection())
          .isEqualTo(Rejection.OVERLOADED);
    }
  }

  @Test
  void thePresetCannotBeAppliedTwice() {
    SeckillEngine.Builder builder = SeckillEngine.builder().developmentDefaults();
    assertThatThrownBy(builder::developmentDefaults)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("developmentDefaults");
  }

  private static long bytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).sum();
    }
  }
}
