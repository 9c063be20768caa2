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

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.hash.serialization.BytesReader;
import net.openhft.chronicle.hash.serialization.BytesWriter;
import net.openhft.chronicle.hash.serialization.impl.EnumMarshallable;

/**
 * Reads and writes {@link OrderRecord}s in the layout drawn there. Stateless; reading into a
 * supplied record allocates nothing.
 */
final class OrderRecordMarshaller
    implements BytesReader<OrderRecord>, BytesWriter<OrderRecord>,
        EnumMarshallable<OrderRecordMarshaller> {
  static final OrderRecordMarshaller INSTANCE = new OrderRecordMarshaller();

  private OrderRecordMarshaller() {}

  @Override
  public OrderRecord read(Bytes<?> in, OrderRecord using) {
    OrderRecord r = using == null ? new OrderRecord() : using;
    r.orderId = in.readLong();
    r.confirmedAtMillis = in.readLong();
    r.stockAfter = in.readLong();
    r.saleOrdersAfter = in.readLong();
    r.saleIndex = in.readInt();
    r.quantity = in.readInt();
    r.userUnitsAfter = in.readInt();
    r.userId.setLength(0);
    in.readUtf8(r.userId);
    return r;
  }

  @Override
  public void write(Bytes<?> out, OrderRecord r) {
    out.writeLong(r.orderId);
    out.writeLong(r.confirmedAtMillis);
    out.writeLong(r.stockAfter);
    out.writeLong(r.saleOrdersAfter);
    out.writeInt(r.saleIndex);
    out.writeInt(r.quantity);
    out.writeInt(r.userUnitsAfter);
    out.writeUtf8(r.userId);
  }

  @Override
  public OrderRecordMarshaller readResolve() {
    return INSTANCE;
  }
}
