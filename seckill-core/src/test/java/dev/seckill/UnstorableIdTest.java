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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ids no order store can keep as the ledger holds them (PostgreSQL refuses NUL; the drivers turn
 * a lone surrogate into '?') are refused up front with INVALID_REQUEST, and problem() says which
 * character and where.
 */
class UnstorableIdTest {
  static final String HIGH = "\uD83D"; // first half of U+1F600
  static final String LOW = "\uDE00"; // second half of U+1F600

  @TempDir Path dir;
  Sale sale;

  @BeforeEach
  void sale() {
    Instant now = Instant.now();
    sale = Sale.builder("s").stock(100).limitPerUser(1)
        .startsAt(now.minus(1, ChronoUnit.HOURS)).endsAt(now.plus(1, ChronoUnit.HOURS)).build();
  }

  @Test
  void controlCharactersInUserIdAreNamedWithTheirPosition() {
    assertThat(PurchaseRequest.of("s", "abc\u0000d", 1).problem())
        .startsWith("userId contains a control character U+0000 at index 3")
        .endsWith("was \"abc\\u0000d\"");
    assertThat(PurchaseRequest.of("s", "a\nb", 1).problem())
        .startsWith("userId contains a control character U+000A at index 1");
    assertThat(PurchaseRequest.of("s", "\tx", 1).problem())
        .startsWith("userId contains a control character U+0009 at index 0");
    assertThat(PurchaseRequest.of("s", "x\u007F", 1).problem())
        .startsWith("userId contains a control character U+007F at index 1");
    assertThat(PurchaseRequest.of("s", "next\u0085line", 1).problem())
        .startsWith("userId contains a control character U+0085 at index 4");
    assertThat(PurchaseRequest.of("s", "x\u009F", 1).problem())
        .startsWith("userId contains a control character U+009F at index 1");
  }

  @Test
  void unpairedSurrogatesInUserIdAreNamed() {
    assertThat(PurchaseRequest.of("s", "ab" + HIGH, 1).problem())
        .startsWith("userId contains an unpaired high surrogate U+D83D at index 2");
    assertThat(PurchaseRequest.of("s", HIGH + "x", 1).problem())
        .startsWith("userId contains an unpaired high surrogate U+D83D at index 0");
    assertThat(PurchaseRequest.of("s", "a" + LOW, 1).problem())
        .startsWith("userId contains an unpaired low surrogate U+DE00 at index 1");
    assertThat(PurchaseRequest.of("s", LOW + HIGH, 1).problem()) // reversed pair
        .startsWith("userId contains an unpaired low surrogate U+DE00 at index 0");
    assertThat(PurchaseRequest.of("s", HIGH + HIGH + LOW, 1).problem())
        .startsWith("userId contains an unpaired high surrogate U+D83D at index 0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"user-7", "\uD83D\uDE00", "a\uD83D\uDE00b\uD83D\uDC4D", "Zoë",
      "用户", "\u00A0nbsp", "x\u00A0", "\uFFFD"})
  void printableAndPairedIdsAreAccepted(String userId) {
    assertThat(PurchaseRequest.of("s", userId, 1).problem()).isNull();
    assertThat(PurchaseRequest.of("s", userId, 1).isWellFormed()).isTrue();
  }

  @Test
  void saleIdsAreCheckedTheSameWay() {
    assertThat(PurchaseRequest.of("s\u0000", "u", 1).problem())
        .startsWith("saleId contains a control character U+0000 at index 1");
    assertThat(PurchaseRequest.of(LOW, "u", 1).problem())
        .startsWith("saleId contains an unpaired low surrogate U+DE00 at index 0");
    assertThatThrownBy(() -> Sale.builder("phone" + HIGH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("id contains an unpaired high surrogate U+D83D at index 5");
    assertThatThrownBy(() -> Sale.builder("a\u0085"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("id contains a control character U+0085 at index 1");
    assertThat(Sale.builder("phone-\uD83D\uDE00").stock(1).limitPerUser(1)
        .startsAt(Instant.EPOCH).endsAt(Instant.EPOCH.plusSeconds(1)).build().id())
        .isEqualTo("phone-\uD83D\uDE00");
  }

  @Test
  void theEngineRefusesThemWithInvalidRequest() {
    try (SeckillEngine engine = SeckillEngine.builder().dataDir(dir).build()) {
      engine.registerSale(sale);
      for (String userId : new String[] {"nul\u0000", "new\nline", "del\u007F", "c1\u0085",
          "hi" + HIGH, LOW + "lo"}) {
        PurchaseRequest r = PurchaseRequest.of("s", userId, 1);
        assertThat(engine.submit(r).join().rejection()).as(userId)
            .isEqualTo(Rejection.INVALID_REQUEST);
        assertThat(engine.problem(r)).as(userId).startsWith("userId contains");
        assertThat(engine.issueToken("s", userId).rejection()).as(userId)
            .isEqualTo(Rejection.INVALID_REQUEST);
      }
      PurchaseRequest emoji = PurchaseRequest.of("s", "buyer-\uD83D\uDE00", 1);
      assertThat(engine.submit(emoji).join().isConfirmed()).isTrue();
      assertThat(engine.snapshot("s").ordersConfirmed()).isEqualTo(1);
    }
  }
}
