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

import java.util.List;

/**
 * Thrown by {@link SeckillEngine.Builder#build()} when the JVM lacks flags the ledger (Chronicle
 * Map) needs on Java 17+. The message names every missing flag; {@link #missingFlags()} lists
 * them for tools (the Spring Boot starter's failure analyzer prints them as its action). See
 * README, section "JVM flags".
 */
public final class MissingJvmFlagsException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** The missing flags, each as on a command line. */
  private final List<String> missingFlags;

  MissingJvmFlagsException(List<String> missingFlags) {
    super("seckill's ledger (Chronicle Map) needs these JVM flags on Java 17+, and this JVM lacks"
        + " them: " + String.join(" ", missingFlags)
        + " (see README, section 'JVM flags', for Maven Surefire, java -jar and Spring Boot)");
    this.missingFlags = List.copyOf(missingFlags);
  }

  /**
   * The flags this JVM lacks, each as written on a {@code java} command line (or, when the JVM
   * is not a full JDK, a sentence saying so).
   *
   * @return the missing flags; never empty
   */
  public List<String> missingFlags() {
    return missingFlags;
  }
}
