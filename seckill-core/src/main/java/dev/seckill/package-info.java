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
 * seckill's public API: {@link dev.seckill.SeckillEngine} and its builder, {@link dev.seckill.Sale},
 * {@link dev.seckill.PurchaseRequest}, {@link dev.seckill.PurchaseResult}, {@link dev.seckill.Rejection},
 * {@link dev.seckill.SaleSnapshot} and {@link dev.seckill.PurchaseListener}; for admission,
 * {@link dev.seckill.AdmissionSettings}, {@link dev.seckill.TokenGrant} and
 * {@link dev.seckill.SaleView}; operator actions behind {@link dev.seckill.Operations}. The
 * engine's internals are package-private classes of this package: they are not API and cannot be
 * reached from outside it.
 */
@NullMarked
package dev.seckill;

import org.jspecify.annotations.NullMarked;
