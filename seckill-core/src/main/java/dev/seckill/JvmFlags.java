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

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks, before any Chronicle Map file is opened, that the JVM was started with the flags
 * Chronicle Map needs on JDK 17+, so a missing flag is one clear message instead of a deep stack
 * trace from a generated class.
 */
final class JvmFlags {
  static {
    ChronicleDefaults.apply(); // missing() loads ChronicleMap
  }

  /** The flags, exactly as they go on a java command line. */
  public static final List<String> REQUIRED = List.of(
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED");

  private JvmFlags() {}

  /** Returns the required flags this JVM lacks, as they would be written on the command line. */
  public static List<String> missing() {
    List<String> missing = new ArrayList<>();
    Module chronicle = net.openhft.chronicle.map.ChronicleMap.class.getModule();
    Module base = Object.class.getModule();
    if (!base.isOpen("java.lang", chronicle)) {
      missing.add(REQUIRED.get(0));
    }
    if (!base.isOpen("java.lang.reflect", chronicle)) {
      missing.add(REQUIRED.get(1));
    }
    if (!base.isExported("sun.nio.ch", chronicle)) {
      missing.add(REQUIRED.get(2));
    }
    Optional<Module> compiler = ModuleLayer.boot().findModule("jdk.compiler");
    if (compiler.isEmpty()) {
      missing.add("(a full JDK: the jdk.compiler module is absent, Chronicle Map compiles code at run time)");
    } else if (!compiler.get().isExported("com.sun.tools.javac.file", chronicle)) {
      missing.add(REQUIRED.get(3));
    }
    return missing;
  }

  /**
   * Throws if any required flag is missing.
   *
   * @throws MissingJvmFlagsException naming every missing flag
   */
  public static void requirePresent() {
    List<String> missing = missing();
    if (!missing.isEmpty()) {
      throw new MissingJvmFlagsException(missing);
    }
  }
}
