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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster tests' {@link TcpProxy} against PostgreSQL: a partition holds a query without
 * closing the connection, healing delivers it, a cut breaks the connection.
 */
@Tag("slow")
class TcpProxyTest {
  @Test
  void partitionHoldsHealDeliversCutBreaks() throws Exception {
    String url = ClusterHarness.envUrl(ClusterHarness.POSTGRES_ENV,
        "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    URI u = URI.create(url.substring("jdbc:".length()));
    try (TcpProxy proxy = new TcpProxy(u.getHost(), u.getPort());
        Connection c = DriverManager.getConnection(url.replaceFirst(
            "//" + u.getHost() + ":" + u.getPort() + "/", "//127.0.0.1:" + proxy.port() + "/"))) {
      assertThat(one(c)).isEqualTo(1);
      proxy.partition();
      CompletableFuture<Integer> held = CompletableFuture.supplyAsync(() -> {
        try {
          return one(c);
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      ClusterHarness.poll("the query held by the proxy", Duration.ofSeconds(10),
          () -> proxy.heldSincePartition() > 0);
      assertThat(held).as("its bytes are held: the server never saw the query").isNotDone();
      proxy.heal();
      assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      proxy.cut();
      assertThatThrownBy(() -> one(c)).isInstanceOf(SQLException.class);
    }
  }

  private static int one(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
