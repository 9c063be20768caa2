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

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The other process of {@link DirectoryLockTest}: tries to open an engine on a data directory and
 * prints {@code REFUSED <message>} if {@code build()} refuses it. If it opens, it prints
 * {@code OPENED}, keeps the engine open until its standard input ends, then closes it and prints
 * {@code CLOSED}. Runs in a child JVM.
 *
 * <p>Argument: dataDir.
 */
public final class DirectoryLockChild {
  private DirectoryLockChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    SeckillEngine engine;
    try {
      engine = DirectoryLockTest.open(Path.of(args[0]));
    } catch (IllegalStateException e) {
      out.println("REFUSED " + e.getMessage());
      return;
    }
    out.println("OPENED");
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      while (in.readLine() != null) {
        // wait for the parent to close our standard input
      }
    }
    engine.close();
    out.println("CLOSED");
  }
}
