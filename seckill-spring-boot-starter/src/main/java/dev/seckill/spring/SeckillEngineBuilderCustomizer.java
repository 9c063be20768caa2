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
package dev.seckill.spring;

import dev.seckill.SeckillEngine;

/**
 * Adjusts the engine builder after the {@code seckill.*} properties were applied, for what
 * properties cannot say: a {@link java.time.Clock}, an admission policy, a custom sink. Every
 * such bean is applied, in {@link org.springframework.core.Ordered} order. The builder takes each
 * setting once: a customizer must not set what a property already set (the builder then throws,
 * naming the setting).
 */
@FunctionalInterface
public interface SeckillEngineBuilderCustomizer {
  /**
   * Adjusts the builder.
   *
   * @param builder the builder, with the properties applied
   */
  void customize(SeckillEngine.Builder builder);
}
