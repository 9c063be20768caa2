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
package dev.seckill.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.Rejection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.HttpStatus;

/**
 * Every engine {@link Rejection} maps to one of the shop's documented statuses, and the
 * example's README lists each reason with the status the code answers.
 */
class RejectionStatusTest {
  /** The statuses the README promises for refusals. */
  private static final Set<HttpStatus> DOCUMENTED = Set.of(HttpStatus.BAD_REQUEST,
      HttpStatus.FORBIDDEN, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.GONE,
      HttpStatus.TOO_EARLY, HttpStatus.TOO_MANY_REQUESTS, HttpStatus.SERVICE_UNAVAILABLE);

  @ParameterizedTest
  @EnumSource(Rejection.class)
  void everyRejectionHasADocumentedStatus(Rejection r) throws IOException {
    HttpStatus status = RejectionStatus.of(r);
    assertThat(DOCUMENTED).contains(status);

    List<String> rows = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8).stream()
        .filter(line -> line.startsWith("| `" + r.name() + "` |"))
        .toList();
    assertThat(rows).as("README status table row for %s", r).hasSize(1);
    assertThat(rows.get(0)).as("README row for %s", r).contains("| " + status.value() + " ");
  }

  @ParameterizedTest
  @EnumSource(Rejection.class)
  void retryAfterOnlyWhereRetryingHelps(Rejection r) {
    int seconds = RejectionStatus.retryAfterSeconds(r);
    if (RejectionStatus.of(r) == HttpStatus.TOO_MANY_REQUESTS
        || RejectionStatus.of(r) == HttpStatus.SERVICE_UNAVAILABLE) {
      assertThat(seconds).isPositive();
    } else {
      assertThat(seconds).isZero();
    }
  }

  @Test
  void theDocumentedNamesAreExactlyTheEnum() throws IOException {
    List<String> documented = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8)
        .stream()
        .filter(line -> line.matches("\\| `[A-Z_]+` \\| \\d{3} .*"))
        .map(line -> line.substring(3, line.indexOf('`', 3)))
        .toList();
    assertThat(documented).containsExactlyInAnyOrder(
        java.util.Arrays.stream(Rejection.values()).map(Rejection::name).toArray(String[]::new));
  }
}
