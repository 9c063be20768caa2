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

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * Sets {@code long} values in a {@code ChronicleMap<Long, Long>} without boxing them: the value's
 * 8 bytes are written into a buffer this writer owns and handed to Chronicle as serialized bytes
 * ({@code wrapValueBytesAsData}), so Chronicle replaces the entry's value in place (and updates its
 * checksum) as a {@code put} would, but no {@code Long} is allocated. The ledger's checkpoint
 * writes the sale counters and the applied watermark through one; the flusher writes the flushed
 * watermark through its own.
 *
 * <p>Not thread-safe: one instance per writing thread (the buffer is the writer's scratch). Keys
 * are passed boxed: callers keep them ({@link StockLedger} caches one per counter).
 */
final class CounterWriter {
  private final ChronicleMap<Long, Long> map;
  private final BytesStore<?, ?> value = BytesStore.wrap(new byte[Long.BYTES]);

  CounterWriter(ChronicleMap<Long, Long> map) {
    this.map = map;
  }

  /** {@code map.put(key, value)}, allocation-free. */
  void put(Long key, long v) {
    value.writeLong(0, v); // native order, as Chronicle's own Long marshaller writes it
    try (ExternalMapQueryContext<Long, Long, ?> c = map.queryContext(key)) {
      c.updateLock().lock();
      MapEntry<Long, Long> entry = c.entry();
      Data<Long> data = c.wrapValueBytesAsData(value, 0, Long.BYTES);
      if (entry != null) {
        c.replaceValue(entry, data);
      } else {
        c.insert(c.absentEntry(), data);
      }
    }
  }
}
