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

import dev.seckill.spi.ConfirmedOrder;
import dev.seckill.spi.PermanentSinkException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dead-letter file: its JSON lines, and what it does with a torn or unterminated tail. */
class DeadLetterFileTest {
  static final Instant T = Instant.parse("2026-11-11T00:00:00Z");

  @TempDir Path dir;

  @Test
  void linesAreJsonWithEveryAwkwardCharEscaped() throws Exception {
    DeadLetterFile f = DeadLetterFile.open(3, dir);
    assertThat(f.count()).isZero();
    // Ids a ledger written before the id checks may still hold.
    ConfirmedOrder o = new ConfirmedOrder(42, "s\"1\\", "nul\u0000 nl\n hi\uD83D \uD83D\uDE00 é",
        2, T);
    f.append(o, new PermanentSinkException("refused \"x\"", new IllegalStateException("why")),
        T.plusSeconds(1));
    assertThat(f.count()).isEqualTo(1);
    assertThat(f.contains(42)).isTrue();
    String line = Files.readString(dir.resolve("dead-letters.jsonl"), StandardCharsets.UTF_8);
    assertThat(line).isEqualTo("{\"orderId\":42,\"saleId\":\"s\\\"1\\\\\","
        + "\"userId\":\"nul\\u0000 nl\\n hi\\ud83d \\ud83d\\ude00 é\",\"quantity\":2,"
        + "\"confirmedAt\":\"2026-11-11T00:00:00Z\",\"shard\":3,"
        + "\"deadLetteredAt\":\"2026-11-11T00:00:01Z\","
        + "\"errorClass\":\"dev.seckill.spi.PermanentSinkException\",\"error\":\"refused \\\"x\\\"\","
        + "\"causes\":[\"java.lang.IllegalStateException: why\"]}\n");
  }

  @Test
  void reopeningCountsTheOrdersAndCutsOnlyATornTail() throws Exception {
    Path file = dir.resolve("dead-letters.jsonl");
    Files.writeString(file, "{\"orderId\":1,\"x\":1}\n{\"orderId\":2,\"x\":2}\n{\"orderId\":3,\"x",
        StandardCharsets.UTF_8);
    DeadLetterFile f = DeadLetterFile.open(0, dir);
    assertThat(f.count()).isEqualTo(2);
    assertThat(f.contains(3)).isFalse();
    assertThat(Files.readString(file))
        .isEqualTo("{\"orderId\":1,\"x\":1}\n{\"orderId\":2,\"x\":2}\n");

    // A whole last line whose newline an editor dropped is kept, and ended.
    Files.writeString(file, "{\"orderId\":1,\"x\":1}\n{\"orderId\":2,\"x\":2}",
        StandardCharsets.UTF_8);
    f = DeadLetterFile.open(0, dir);
    assertThat(f.count()).isEqualTo(2);
    assertThat(Files.readString(file))
        .isEqualTo("{\"orderId\":1,\"x\":1}\n{\"orderId\":2,\"x\":2}\n");
    f.append(new ConfirmedOrder(9, "s", "u", 1, T), new PermanentSinkException("no"), T);
    assertThat(Files.readAllLines(file)).hasSize(3);
    assertThat(DeadLetterFile.open(0, dir).count()).isEqualTo(3);
  }
}
