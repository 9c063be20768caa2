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
package dev.seckill.internal;

import java.util.Map;
import java.util.Properties;

/**
 * Turns off Chronicle's usage analytics and start-up banner unless the application chose
 * otherwise. Without this, a plain (non-test) JVM that opens a Chronicle Map sends usage events to
 * www.google-analytics.com, writes {@code ~/.chronicle.analytics.client.id} and
 * {@code ~/.chronicle.analytics.last}, and prints an advertising banner; an embedded library must
 * not do any of that to its users. Chronicle reads these system properties when its classes
 * first run, so {@link #apply()} is called from the static initialisers of the classes that reach
 * Chronicle ({@code SeckillEngine}, {@code StockLedger}, {@code JvmFlags}). A property the
 * application set, to any value, is left alone.
 */
public final class ChronicleDefaults {
  /** The properties and the values seckill gives them when they are unset. */
  public static final Map<String, String> PROPERTIES = Map.of(
      "chronicle.analytics.disable", "true",
      "chronicle.announcer.disable", "true");

  static {
    try {
      applyTo(System.getProperties());
    } catch (SecurityException all) {
      // A security manager guards the whole set; it may still allow these keys one by one.
      PROPERTIES.forEach((key, value) -> {
        try {
          if (System.getProperty(key) == null) {
            System.setProperty(key, value);
          }
        } catch (SecurityException e) {
          // forbidden: nothing else a library can do
        }
      });
    }
  }

  private ChronicleDefaults() {}

  /** Sets each of {@link #PROPERTIES} that {@code properties} lacks; leaves the others alone. */
  static void applyTo(Properties properties) {
    PROPERTIES.forEach(properties::putIfAbsent);
  }

  /**
   * Sets each of {@link #PROPERTIES} that is unset. Idempotent: the work happens once, when this
   * class initialises, which the first call triggers.
   */
  public static void apply() {
    // the static initialiser did the work
  }
}
