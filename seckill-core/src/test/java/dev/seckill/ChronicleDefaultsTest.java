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

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The defaults fill in what is unset and never override the application's choice. */
class ChronicleDefaultsTest {
  @Test
  void unsetPropertiesAreTurnedOff() {
    Properties p = new Properties();
    ChronicleDefaults.applyTo(p);
    assertThat(p).containsEntry("chronicle.analytics.disable", "true")
        .containsEntry("chronicle.announcer.disable", "true");
    assertThat(p.getProperty("jna.tmpdir")).as("JNA's cache, out of the home directory")
        .isEqualTo(java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
            "jna-" + System.getProperty("user.name")).toString());
  }

  @Test
  void aValueTheApplicationSetIsKept() {
    Properties p = new Properties();
    p.setProperty("chronicle.analytics.disable", "false");
    p.setProperty("chronicle.announcer.disable", "");
    p.setProperty("jna.tmpdir", "/opt/app/jna");
    ChronicleDefaults.applyTo(p);
    ChronicleDefaults.applyTo(p); // idempotent
    assertThat(p).containsEntry("chronicle.analytics.disable", "false")
        .containsEntry("chronicle.announcer.disable", "")
        .containsEntry("jna.tmpdir", "/opt/app/jna").hasSize(3);
  }

  @Test
  void thisJvmHasThemSet() {
    ChronicleDefaults.apply();
    assertThat(System.getProperty("chronicle.analytics.disable")).isNotNull();
    assertThat(System.getProperty("chronicle.announcer.disable")).isNotNull();
  }
}
