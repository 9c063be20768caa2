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

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every {@code INVALID_REQUEST} has a problem that names the field and the value. */
class ProblemTest {
  @TempDir Path dir;

  @Test
  void quantityAboveMaxPerRequestIsNamed() {
    Instant now = Instant.now();
    Sale sale = Sale.builder("s").stock(10).limitPerUser(3).maxPerRequest(2)
        .startsAt(now.minus(1, ChronoUnit.HOURS)).endsAt(now.plus(1, ChronoUnit.HOURS)).build();
    PurchaseRequest tooMany = PurchaseRequest.of("s", "u", 3);
    assertThat(tooMany.problem()).isNull(); // needs the sale to know
    assertThat(tooMany.problem(sale))
        .isEqualTo("quantity must be at most the maxPerRequest of sale 's' (2), was 3");
    assertThat(PurchaseRequest.of("s", "u", 2).problem(sale)).isNull();
    assertThat(PurchaseRequest.of("s", "u", 0).problem(sale))
        .isEqualTo("quantity must be at least 1, was 0");

    try (SeckillEngine engine = SeckillEngine.builder().dataDir(dir).build()) {
      engine.registerSale(sale);
      assertThat(engine.submit(tooMany).join().rejection()).isEqualTo(Rejection.INVALID_REQUEST);
      assertThat(engine.problem(tooMany)).contains("maxPerRequest").contains("was 3");
      assertThat(engine.problem(PurchaseRequest.of("s", "u", 1))).isNull();
      assertThat(engine.problem(PurchaseRequest.of("nope", "u", 5))).isNull(); // UNKNOWN_SALE
      assertThat(engine.problem(PurchaseRequest.of(" ", "u", 1))).contains("saleId");
    }
  }
}
