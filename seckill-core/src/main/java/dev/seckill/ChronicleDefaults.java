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
package dev.seckill;

import java.nio.file.Path;
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
 *
 * <p>Chronicle's thread-affinity library loads JNA, which unpacks its native library into a cache
 * under the home directory ({@code ~/.cache/JNA/temp}) unless {@code jna.tmpdir} names another
 * place. The library writes nothing outside its data directory but the system's temporary
 * directory, so {@code jna.tmpdir} defaults to {@code <java.io.tmpdir>/jna-<user.name>} (the
 * place JNA itself used before version 5). Applications whose temporary directory is mounted
 * {@code noexec} set {@code jna.tmpdir} themselves.
 */
final class ChronicleDefaults {
  /** The properties and the values seckill gives them when they are unset. */
  public static final Map<String, String> PROPERTIES = Map.of(
      "chronicle.analytics.disable", "true",
      "chronicle.announcer.disable", "true");

  /** Where JNA unpacks its native library; see the class comment. */
  static final String JNA_TMPDIR = "jna.tmpdir";

  static {
    try {
      applyTo(System.getProperties());
    } catch (SecurityException all) {
      // A security manager guards the whole set; it may still allow these keys one by one.
      Properties wanted = new Properties();
      applyTo(wanted);
      wanted.forEach((key, value) -> {
        try {
          if (System.getProperty((String) key) == null) {
            System.setProperty((String) key, (String) value);
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
    if (properties.getProperty(JNA_TMPDIR) == null) {
      String tmp = properties.getProperty("java.io.tmpdir", System.getProperty("java.io.tmpdir"));
      String user = properties.getProperty("user.name", System.getProperty("user.name", "user"));
      properties.setProperty(JNA_TMPDIR, Path.of(tmp, "jna-" + user).toString());
    }
  }

  /**
   * Sets each of {@link #PROPERTIES} that is unset. Idempotent: the work happens once, when this
   * class initialises, which the first call triggers.
   */
  public static void apply() {
    // the static initialiser did the work
  }
}
