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

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** build() names the missing JVM flags instead of failing deep inside Chronicle Map. */
class JvmFlagsTest {
  @TempDir Path dir;

  @Test
  void thisJvmHasTheFlags() {
    assertThat(JvmFlags.missing()).isEmpty();
  }

  @Test
  void aJvmWithoutThemGetsOneClearMessage() throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"),
        BuildWithoutFlags.class.getName(), dir.toString()))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out).contains("MissingJvmFlagsException", "an IllegalStateException")
        .contains("--add-opens=java.base/java.lang=ALL-UNNAMED")
        .contains("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED")
        .contains("README");
  }

  /** Run in a child JVM started without the flags. */
  public static final class BuildWithoutFlags {
    private BuildWithoutFlags() {}

    public static void main(String[] args) {
      try {
        SeckillEngine.builder().dataDir(Path.of(args[0])).build().close();
        System.out.println("built without flags");
      } catch (RuntimeException e) {
        System.out.println(e);
        if (e instanceof IllegalStateException) {
          System.out.println("(an IllegalStateException)");
        }
      }
    }
  }
}
