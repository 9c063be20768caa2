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
package dev.seckill.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/**
 * A Spring Boot application started without the JVM flags Chronicle Map needs fails with Boot's
 * readable report, written by {@link MissingJvmFlagsFailureAnalyzer}: a child JVM without the
 * flags runs {@link App}.
 */
@Tag("slow")
class MissingJvmFlagsReportTest {
  @TempDir Path dir;

  /** The child's application: only the seckill auto-configuration. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(SeckillAutoConfiguration.class)
  static class App {
    public static void main(String[] args) {
      SpringApplication app = new SpringApplication(App.class);
      app.setWebApplicationType(WebApplicationType.NONE);
      app.run(args);
    }
  }

  @Test
  void theReportNamesEveryMissingFlagAndTheFix() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path out = dir.resolve("child.log");
    Process child = new ProcessBuilder(List.of(java, "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), App.class.getName(),
        "--seckill.data-dir=" + dir.resolve("ledger")))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child JVM ends").isTrue();
    String log = read(out);
    assertThat(child.exitValue()).as(log).isNotZero();
    assertThat(log).contains("APPLICATION FAILED TO START",
        "The seckill engine could not start", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "Action:", "<jvmArguments>");
    assertThat(dir.resolve("ledger")).as("nothing written before the check").doesNotExist();
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
