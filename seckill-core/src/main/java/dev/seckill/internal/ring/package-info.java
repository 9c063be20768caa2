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
/**
 * The Disruptor wiring: one ring per shard, the ledger writer stage and the responder stage
 * (gated on the flusher's stored watermark under durability PERSISTED), static translators for
 * allocation-free publishing, and {@link dev.seckill.internal.ring.Reply}, the future that is
 * also the listener, so every result reaches its caller through one delivery path.
 */
package dev.seckill.internal.ring;
