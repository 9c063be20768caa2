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

import dev.seckill.Durability;
import dev.seckill.spi.OrderSink;
import java.time.Duration;

/**
 * How a shard's flusher drains the outbox into the sink. Exists only with a sink: an engine
 * without one has none ({@code EngineSettings.flush()} is empty) and its shards no flusher.
 *
 * @param sink where orders go
 * @param batchSize the most orders per {@link OrderSink#store} call
 * @param maxDelay how long an order may wait for its batch to fill
 * @param initialBackoff the wait after the first failed store
 * @param maxBackoff the cap of the exponential backoff between failed stores
 * @param durability when confirmed purchases are delivered
 */
record FlushSettings(OrderSink sink, int batchSize, Duration maxDelay,
    Duration initialBackoff, Duration maxBackoff, Durability durability) {}
