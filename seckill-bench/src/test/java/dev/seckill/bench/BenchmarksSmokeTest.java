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

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark once, for a moment, in this JVM (forks(0): surefire's JVM has the
 * Chronicle Map flags), with small sizes, so none can rot; then renders the report from the
 * results. Not a measurement: nothing here looks at a score. Baselines whose server is absent
 * are skipped (with a message) unless {@code SECKILL_IT_REQUIRED=true}.
 */
@Tag("slow")
class BenchmarksSmokeTest {
  @Test
  void everyBenchmarkRunsOnceAndTheReportRenders(@TempDir Path out) throws Exception {
    System.setProperty("jmh.ignoreLock", "true");
    System.setProperty("java.awt.headless", "true");
    List<String> includes = new ArrayList<>(List.of("SubmitBenchmark", "SubmitPathBenchmark",
        "SoldOutBenchmark", "LedgerBenchmark", "InHeapBaselineBenchmark", "AdmissionBenchmark"));
    List<String> dbs = new ArrayList<>(List.of("h2"));
    if (Servers.required() || Servers.reachable("redis")) {
      includes.add("RedisBaselineBenchmark");
    } else {
      System.out.println(Servers.skipMessage("redis"));
    }
    for (String db : List.of("postgres", "mariadb")) {
      if (Servers.required() || Servers.reachable(db)) {
        dbs.add(db);
      } else {
        System.out.println(Servers.skipMessage(db));
      }
    }
    includes.add("SqlBaselineBenchmark");

    OptionsBuilder b = new OptionsBuilder();
    for (String include : includes) {
      b.include("dev\\.seckill\\.(?:bench\\.)?" + include + "\\.");
    }
    Path json = out.resolve("jmh.json");
    Options options = b
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        .timeout(TimeValue.seconds(30))
        .param("maxUsers", "50000")
        .param("pool", "4096")
        .param("capacity", "50000")
        .param("db", dbs.toArray(new String[0]))
        .param("storage", "disk")
        .shouldFailOnError(true)
        .result(json.toString())
        .resultFormat(ResultFormatType.JSON)
        .build();
    Collection<RunResult> results = new Runner(options).run();

    Set<String> ran = new TreeSet<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      ran.add(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1));
    }
    assertThat(ran).contains("SubmitBenchmark.threads1", "SubmitBenchmark.threads2",
        "SubmitBenchmark.threads4", "SubmitPathBenchmark.submit", "SoldOutBenchmark.threads1",
        "SoldOutBenchmark.threads2", "LedgerBenchmark.decide", "LedgerBenchmark.rawPutUserKey",
        "LedgerBenchmark.rawPutLong", "InHeapBaselineBenchmark.threads1",
        "InHeapBaselineBenchmark.threads4", "SqlBaselineBenchmark.transaction",
        "AdmissionBenchmark.screen", "AdmissionBenchmark.checkToken",
        "AdmissionBenchmark.screenAndToken");
    if (includes.contains("RedisBaselineBenchmark")) {
      assertThat(ran).contains("RedisBaselineBenchmark.evalsha",
          "RedisBaselineBenchmark.evalshaPipelined");
    }
    long sqlRuns = results.stream()
        .filter(r -> r.getParams().getBenchmark().endsWith("SqlBaselineBenchmark.transaction"))
        .count();
    assertThat(sqlRuns).isEqualTo(dbs.size());

    // Every engine benchmark decided something (a dead engine would score 0 confirmed).
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      if (name.contains("SoldOutBenchmark")) {
        assertThat(r.getSecondaryResults().get("soldOut").getScore()).as(name).isPositive();
      } else if (name.contains("AdmissionBenchmark")) {
        assertThat(r.getPrimaryResult().getScore()).as(name).isPositive(); // ns/op, no counters
      } else if (!name.contains("rawPut")) {
        assertThat(r.getSecondaryResults().get("confirmed").getScore()).as(name).isPositive();
      }
    }

    Report.write(out);
    assertThat(out.resolve("summary.csv")).exists();
    assertThat(out.resolve("summary.json")).exists();
    assertThat(out.resolve("throughput-by-threads.png")).exists();
    assertThat(out.resolve("engine-vs-baselines.png")).exists();
    assertThat(Files.size(out.resolve("throughput-by-threads.png"))).isPositive();
  }
}
