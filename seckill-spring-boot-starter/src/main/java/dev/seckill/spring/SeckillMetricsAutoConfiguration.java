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
import dev.seckill.SeckillMetrics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * With Micrometer present: {@link SeckillMetrics} as a {@code MeterBinder} bean, which Spring Boot
 * binds to every meter registry it configures (Actuator's metrics, {@code /actuator/prometheus}).
 */
@AutoConfiguration(after = SeckillAutoConfiguration.class)
@ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
@ConditionalOnBean(SeckillEngine.class)
public class SeckillMetricsAutoConfiguration {
  /**
   * The engine's meters ({@code seckill.decisions}, {@code seckill.stock.*}, ...).
   *
   * @param engine the engine
   * @return the binder
   */
  @Bean
  @ConditionalOnMissingBean
  public SeckillMetrics seckillMetrics(SeckillEngine engine) {
    return new SeckillMetrics(engine);
  }
}
