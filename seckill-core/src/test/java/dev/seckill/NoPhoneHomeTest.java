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

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library never phones home: an application that uses it, started without any Chronicle
 * property, makes no outbound connection attempt (not even a name lookup), writes nothing under
 * the user's home directory and prints no Chronicle banner. Chronicle skips its analytics when
 * JUnit is on the class path, so the application runs in a child JVM without test frameworks.
 */
class NoPhoneHomeTest {
  /** Class path entries of test frameworks (and the test runner), left out of the child's. */
  static final Pattern TEST_FRAMEWORKS =
      Pattern.compile("junit|opentest4j|apiguardian|assertj|byte-buddy|surefire");
  @TempDir Path dir;

  @Test
  void aPlainApplicationMakesNoConnectionAndWritesNothingUnderHome() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(JvmFlags.REQUIRED); // and no chronicle.* property: the library must set them
    cmd.add("-Djava.security.manager=allow");
    cmd.add("-Duser.home=" + home);
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(classPathWithoutTestFrameworks());
    cmd.add(NoPhoneHomeChild.class.getName());
    cmd.add(dir.resolve("data").toString());
    Process child = new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile()).start();
    assertThat(child.waitFor(5, TimeUnit.MINUTES)).as("the child exited").isTrue();
    String out = Files.readString(stdout, StandardCharsets.UTF_8);
    String err = Files.readString(stderr, StandardCharsets.UTF_8);
    assertThat(child.exitValue()).as("child exit; stdout:%n%s%nstderr:%n%s", out, err).isZero();

    List<String> lines = out.lines().collect(Collectors.toList());
    assertThat(lines).as("the child ran without JUnit on its class path").contains("JUNIT false false");
    assertThat(lines).contains("CONFIRMED", "DONE");
    assertThat(lines).filteredOn(l -> l.startsWith("CONNECT "))
        .as("outbound connection attempts and name lookups").isEmpty();
    assertThat(lines).as("Chronicle's analytics sender thread").contains("THREADS ");
    assertThat((out + err).toLowerCase(Locale.ROOT)).as("output mentioning analytics or a banner")
        .doesNotContain("analytics").doesNotContain("chronicle.software")
        .doesNotContain("leave your e-mail").doesNotContain("process id:");

    List<String> written;
    try (Stream<Path> files = Files.walk(home)) {
      written = files.filter(p -> !p.equals(home))
          .map(p -> home.relativize(p).toString().replace(File.separatorChar, '/')
              + (Files.isDirectory(p) ? "/" : ""))
          .collect(Collectors.toList());
    }
    assertThat(written).as("written under user.home").isEmpty();
  }

  static String classPathWithoutTestFrameworks() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !TEST_FRAMEWORKS.matcher(Path.of(e).getFileName().toString()).find())
        .collect(Collectors.joining(File.pathSeparator));
  }
}
