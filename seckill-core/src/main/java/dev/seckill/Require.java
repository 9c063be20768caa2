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

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Checks for settings, shared by the builders: ranges, whose message names the setting, the range
 * and the value, and settings that may be set only once.
 */
final class Require {
  private Require() {}

  /**
   * {@code value}, if within {@code [min, max]}.
   *
   * @throws IllegalArgumentException otherwise, naming the setting, the range and the value
   */
  public static long between(String setting, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          setting + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  /**
   * {@code value}, if within {@code [min, max]}.
   *
   * @throws NullPointerException if {@code value} is null, naming the setting
   * @throws IllegalArgumentException otherwise, naming the setting, the range and the value
   */
  public static Duration between(String setting, Duration value, Duration min, Duration max) {
    Objects.requireNonNull(value, setting);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          setting + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  /**
   * Checks a builder setting that may be set only once.
   *
   * @param unset whether {@code setting} is still unset
   * @param current its value now, for the message
   * @throws IllegalStateException if it was set already, naming the setting and its value
   */
  public static void setOnce(boolean unset, String setting, @Nullable Object current) {
    if (!unset) {
      throw new IllegalStateException(setting + " was already set to " + current);
    }
  }
}
