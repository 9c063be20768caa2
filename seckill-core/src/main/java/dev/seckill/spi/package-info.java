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
 * Extension points: {@link dev.seckill.spi.OrderSink}, where confirmed orders go, and the
 * read-only {@link dev.seckill.spi.ConfirmedOrder} it receives; {@link dev.seckill.spi.AdmissionPolicy},
 * the application's risk hook, and its {@link dev.seckill.spi.AdmissionDecision}. Implementations
 * must honour the contracts stated on each interface; {@code OrderSinkContractTest} in the core
 * test-jar checks the sink's.
 */
@NullMarked
package dev.seckill.spi;

import org.jspecify.annotations.NullMarked;
