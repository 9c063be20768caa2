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
package dev.seckill.jdbc.cluster;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #13 on MariaDB/MySQL: the basic path (three node JVMs sell one sale through their
 * proxies, no fault) and the frozen node; the same checks as {@link ClusterPostgresTest}.
 */
@Tag("slow")
class ClusterMariaDbTest {
  /** Kept when a test fails: the node logs and the confirmations file are in it. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  /** The node JVMs' main class. */
  Class<?> nodeMain() {
    return ClusterNodeMain.class;
  }

  @Test
  void threeNodesSellOutOneSale() throws Exception {
    try (ClusterHarness h = ClusterHarness.mysql(dir, "maria", 3, 200, 1)) {
      h.nodeMain = nodeMain();
      h.startNodes(3);
      h.await(h.crowd("u", 300, 1, 24));
      ClusterPostgresTest.finish(h);
    }
  }

  /**
   * {@link ClusterPostgresTest}'s frozen node on MariaDB, where the coordinator bounds idle
   * transactions with the session's idle_transaction_timeout (whole seconds).
   */
  @Test
  void aNodeFrozenPastTtlAndGraceComesBackAsAZombieThatCannotOversell() throws Exception {
    try (ClusterHarness h = ClusterHarness.mysql(dir, "mstop", 3, ClusterPostgresTest.STOCK, 1)) {
      h.nodeMain = nodeMain();
      ClusterPostgresTest.frozenZombie(h);
    }
  }
}
