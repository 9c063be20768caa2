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
 * Admission and anti-abuse, on the caller's thread before the ring: purchase tokens
 * ({@link dev.seckill.internal.admission.TokenCodec}), per-key throttles and blocklists, the
 * per-sale admission cap and the guard around the application's policy, assembled by
 * {@link dev.seckill.internal.admission.Admission}. See docs/admission.md.
 */
package dev.seckill.internal.admission;
