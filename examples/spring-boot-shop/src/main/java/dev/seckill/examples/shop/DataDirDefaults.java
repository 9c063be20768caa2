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
package dev.seckill.examples.shop;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Gives {@code shop.data-dir} a fresh default per run when nothing sets it:
 * {@code target/shop-data/run-<yyyyMMdd-HHmmss>-<pid>} under the working directory (the module
 * directory under {@code spring-boot:run}). Ledger and H2 database live there together, because
 * they belong together: the ledger's order ids restart at 1 in a new ledger. Added as the lowest
 * precedence source, so {@code application.yml}, a profile, {@code --shop.data-dir=...} or a test
 * property overrides it. Runs once per application start, on the main thread.
 */
public class DataDirDefaults implements EnvironmentPostProcessor {
  static final String PROPERTY = "shop.data-dir";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication app) {
    if (env.containsProperty(PROPERTY)) {
      return;
    }
    String run = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
        + "-" + ProcessHandle.current().pid();
    Path dir = Path.of("target", "shop-data", "run-" + run).toAbsolutePath();
    env.getPropertySources().addLast(
        new MapPropertySource("shopDataDirDefault", Map.of(PROPERTY, dir.toString())));
  }
}
