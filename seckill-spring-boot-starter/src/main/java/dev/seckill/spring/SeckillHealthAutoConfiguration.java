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
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * With Spring Boot Actuator present: the {@code seckill} health indicator. Off with
 * {@code management.health.seckill.enabled=false}.
 */
@AutoConfiguration(after = SeckillAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
@ConditionalOnBean(SeckillEngine.class)
@ConditionalOnEnabledHealthIndicator("seckill")
public class SeckillHealthAutoConfiguration {
  /**
   * The indicator, named {@code seckill} in {@code /actuator/health}.
   *
   * @param engine the engine
   * @return the indicator
   */
  @Bean
  @ConditionalOnMissingBean(name = "seckillHealthIndicator")
  public SeckillHealthIndicator seckillHealthIndicator(SeckillEngine engine) {
    return new SeckillHealthIndicator(engine);
  }
}
