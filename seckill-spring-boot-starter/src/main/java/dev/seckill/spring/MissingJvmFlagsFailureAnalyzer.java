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

import dev.seckill.MissingJvmFlagsException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a start without the JVM flags Chronicle Map needs into Boot's readable "APPLICATION
 * FAILED TO START" report, with the missing flags and where to put them as the action.
 */
public class MissingJvmFlagsFailureAnalyzer extends AbstractFailureAnalyzer<MissingJvmFlagsException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, MissingJvmFlagsException cause) {
    String flags = String.join(" ", cause.missingFlags());
    return new FailureAnalysis(
        "The seckill engine could not start: its ledger (Chronicle Map) needs JVM flags on Java 17+"
            + " that this JVM was started without:\n\n    " + String.join("\n    ",
            cause.missingFlags()),
        "Start the JVM with these flags, for example:\n\n"
            + "    java " + flags + " -jar app.jar\n\n"
            + "With the Spring Boot Maven plugin: <jvmArguments>" + flags + "</jvmArguments>;"
            + " in tests: Surefire's <argLine>; in a container: JAVA_TOOL_OPTIONS or the"
            + " entrypoint. See seckill's README, section 'JVM flags'.",
        cause);
  }
}
