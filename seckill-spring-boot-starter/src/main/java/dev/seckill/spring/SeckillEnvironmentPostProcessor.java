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

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Adds {@link SeckillHealthIndicator#DEGRADED} to Actuator's health status order, as the lowest
 * priority property source: an application that sets
 * {@code management.endpoint.health.status.order} itself keeps its own.
 */
public class SeckillEnvironmentPostProcessor implements EnvironmentPostProcessor {
  static final String ORDER = "management.endpoint.health.status.order";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment,
      SpringApplication application) {
    environment.getPropertySources().addLast(new MapPropertySource("seckill-defaults",
        Map.of(ORDER, "DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN")));
  }
}
