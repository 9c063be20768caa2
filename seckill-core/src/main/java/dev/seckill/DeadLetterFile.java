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

import dev.seckill.spi.ConfirmedOrder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shard's dead-letter file, {@code shard-N/dead-letters.jsonl}: orders the sink refused for
 * good ({@link dev.seckill.spi.PermanentSinkException}), one JSON object per line:
 *
 * <pre>{@code
 * {"orderId":7,"saleId":"s","userId":"u","quantity":1,"confirmedAt":"2026-11-11T00:00:00Z",
 *  "shard":0,"deadLetteredAt":"2026-11-11T00:00:01.5Z","errorClass":"dev.seckill...Exception",
 *  "error":"...","causes":["org.postgresql.util.PSQLException: ERROR: ..."]}
 * }</pre>
 *
 * (one line in the file). Strings are JSON-escaped; every control character and every surrogate
 * is written as a <code>&#92;uXXXX</code> escape, so the file is plain UTF-8 and keeps the ids exactly.
 *
 * <p>{@link #append} writes and fsyncs a line before returning; the flusher advances the outbox
 * watermark only after that. A crash in between offers the order again after the restart; if it
 * fails again, {@link #contains} says it is written already and it is not appended twice. A
 * partial last line (a crash during the write) is cut off when the file is opened, and logged; a
 * last line that is whole but lacks its newline gets one.
 *
 * <p>Threads: {@link #append} and {@link #contains} on the flusher thread; {@link #count} from
 * any thread.
 */
final class DeadLetterFile {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterFile.class);
  /** The file's name inside the shard directory. */
  public static final String NAME = "dead-letters.jsonl";
  private static final Pattern ORDER_ID = Pattern.compile("^\\{\"orderId\":(\\d+),");

  private final int shard;
  private final Path file;
  private final Set<Long> orderIds = new HashSet<>();
  private volatile long count;

  private DeadLetterFile(int shard, Path file) {
    this.shard = shard;
    this.file = file;
  }

  /**
   * Opens the dead-letter file of shard {@code shard} in {@code shardDir} (it is created on the
   * first append), reading the order ids already in it.
   *
   * @throws UncheckedIOException if an existing file cannot be read or its torn tail cut off
   */
  public static DeadLetterFile open(int shard, Path shardDir) {
    DeadLetterFile f = new DeadLetterFile(shard, shardDir.resolve(NAME));
    try {
      f.load();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the dead-letter file " + f.file, e);
    }
    return f;
  }

  private void load() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    byte[] bytes = Files.readAllBytes(file);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end < bytes.length) {
      String tail = new String(bytes, end, bytes.length - end, StandardCharsets.UTF_8);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        if (tail.strip().endsWith("}")) {
          // A whole line without its newline (an editor dropped it): keep it, end it.
          ch.write(ByteBuffer.wrap(new byte[] {'\n'}), bytes.length);
          end = bytes.length;
        } else {
          log.warn("seckill shard {}: cutting a partial last line off {}, left by a crash during"
              + " its write (that order is still in the outbox and is offered again): {}", shard,
              file, tail);
          ch.truncate(end);
        }
        ch.force(true);
      }
    }
    String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
    for (String line : text.split("\n", -1)) { // -1: keep trailing empty lines (skipped below)
      if (line.isBlank()) {
        continue;
      }
      Matcher m = ORDER_ID.matcher(line);
      if (m.find()) {
        orderIds.add(Long.parseLong(m.group(1)));
      } else {
        log.warn("seckill shard {}: a line of {} does not start with {{\"orderId\":N, and is not"
            + " counted: {}", shard, file, line);
      }
    }
    count = orderIds.size();
  }

  /** The file's path. */
  public Path path() {
    return file;
  }

  /** Distinct orders in the file. Any thread. */
  public long count() {
    return count;
  }

  /** True if order {@code orderId} is in the file already. Flusher thread. */
  public boolean contains(long orderId) {
    return orderIds.contains(orderId);
  }

  /**
   * Appends {@code order} with {@code error} and fsyncs the file (and, when this creates it, its
   * directory) before returning. Flusher thread.
   */
  public void append(ConfirmedOrder order, Throwable error, Instant now) throws IOException {
    String line = line(order, error, now);
    boolean created = !Files.exists(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    if (created) {
      try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      } catch (IOException e) {
        // Some platforms cannot open a directory for fsync.
      }
    }
    orderIds.add(order.orderId());
    count = orderIds.size();
  }

  /** The JSON line for {@code order}, ending in a newline. */
  String line(ConfirmedOrder order, Throwable error, Instant now) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("{\"orderId\":").append(order.orderId());
    sb.append(",\"saleId\":");
    string(sb, order.saleId());
    sb.append(",\"userId\":");
    string(sb, order.userId());
    sb.append(",\"quantity\":").append(order.quantity());
    sb.append(",\"confirmedAt\":\"").append(order.confirmedAt()).append('"');
    sb.append(",\"shard\":").append(shard);
    sb.append(",\"deadLetteredAt\":\"").append(now).append('"');
    sb.append(",\"errorClass\":");
    string(sb, error.getClass().getName());
    sb.append(",\"error\":");
    string(sb, String.valueOf(error.getMessage()));
    sb.append(",\"causes\":[");
    int n = 0;
    for (Throwable c = error.getCause(); c != null && c != error && n < 8; c = c.getCause()) {
      if (n++ > 0) {
        sb.append(',');
      }
      string(sb, c.toString());
    }
    return sb.append("]}\n").toString();
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || Character.isSurrogate(c)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }
}
