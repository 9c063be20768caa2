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
package dev.seckill.bench;

import java.util.List;

/**
 * The JVM flags every JVM that opens a Chronicle Map ledger needs: JMH forks get them through
 * {@code @Fork(jvmArgsAppend = ...)}, which only takes compile-time constants, so they are
 * repeated here. {@code JvmFlagsTest} checks they equal the parent pom's {@code seckill.jvm.flags}.
 */
public final class Jvm {
  public static final String OPENS_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
  public static final String OPENS_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
  public static final String EXPORTS_NIO = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
  public static final String EXPORTS_JAVAC =
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
  public static final String EXPORTS_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
  public static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
  public static final String NO_ANNOUNCER = "-Dchronicle.announcer.disable=true";
  /** Heap for benchmark forks: fixed, so GC behaviour does not depend on the machine's RAM. */
  public static final String HEAP = "-Xmx2g";

  /** The Chronicle Map flags, in the parent pom's order. */
  public static final List<String> FLAGS = List.of(OPENS_LANG, OPENS_REFLECT, EXPORTS_NIO,
      EXPORTS_JAVAC, EXPORTS_REF, NO_ANALYTICS, NO_ANNOUNCER);

  private Jvm() {}
}
