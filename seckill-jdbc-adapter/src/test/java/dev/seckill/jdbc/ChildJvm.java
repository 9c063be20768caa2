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
package dev.seckill.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * The start of a child JVM's command line for the tests that {@code kill -9} or freeze one:
 * this JVM's {@code java}, the flags Chronicle Map needs (and the build's own JVMs have), and
 * Chronicle's analytics and announcer off. The caller adds heap, class path, main class and
 * arguments.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * A new, mutable command line: {@code java} and the flags.
   *
   * @return the list to add to
   */
  public static List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/java.lang.reflect=ALL-UNNAMED");
    cmd.add("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
    cmd.add("--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED");
    cmd.add("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED");
    cmd.add("-Dchronicle.analytics.disable=true");
    cmd.add("-Dchronicle.announcer.disable=true");
    return cmd;
  }
}
