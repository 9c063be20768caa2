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

import java.io.StringReader;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Compares five ways to insert a batch idempotently into PostgreSQL, each batch one transaction,
 * with the database told which rows were new where the path allows it. Not a test: run by hand.
 * Single-threaded; uses its own connections.
 *
 * <pre>
 * cd /work/main &amp;&amp; mvn -B -q -pl seckill-jdbc-adapter test-compile exec:java \
 *     -Dexec.mainClass=dev.seckill.jdbc.PostgresInsertPathsMain -Dexec.classpathScope=test \
 *     -Dexec.args="jdbc:postgresql://127.0.0.1:5432/test?user=postgres 100000"
 * </pre>
 */
public final class PostgresInsertPathsMain {
  private static final String TABLE = "seckill_pg_paths";
  private static final Instant T0 = Instant.parse("2026-11-11T00:00:00Z");

  private PostgresInsertPathsMain() {}

  /** Arguments: base JDBC URL (without reWriteBatchedInserts), number of orders per run. */
  public static void main(String[] args) throws Exception {
    String url = args.length > 0 ? args[0] : System.getenv("SECKILL_IT_POSTGRES_URL");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    String sep = url.contains("?") ? "&" : "?";
    String rewriteUrl = url + sep + "reWriteBatchedInserts=true";
    System.out.printf("PostgreSQL insert paths, %,d new orders per run, one transaction per batch%n", n);
    for (int batch : new int[] {100, 1_000, 10_000}) {
      for (int round = 0; round < 2; round++) { // round 0 warms up the JIT and the server caches
        boolean print = round == 1;
        run(print, "addBatch, reWriteBatchedInserts=true (no per-row result)", rewriteUrl, n, batch,
            PostgresInsertPathsMain::addBatch);
        run(print, "addBatch, no rewrite (per-row counts)", url, n, batch,
            PostgresInsertPathsMain::addBatch);
        run(print, "multi-row VALUES .. RETURNING (1,000-row chunks)", url, n, batch,
            PostgresInsertPathsMain::multiRowValues);
        run(print, "COPY to temp staging + INSERT .. SELECT .. RETURNING", url, n, batch,
            PostgresInsertPathsMain::copyStaging);
        run(print, "INSERT .. SELECT FROM unnest(arrays) .. RETURNING", url, n, batch,
            PostgresInsertPathsMain::unnest);
      }
    }
  }

  private interface Path {
    int insert(Connection c, long from, int count) throws SQLException;
  }

  private static void run(boolean print, String name, String url, int n, int batch, Path path)
      throws SQLException {
    try (Connection c = DriverManager.getConnection(url)) {
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS " + TABLE);
        s.execute("CREATE TABLE " + TABLE + " (order_id BIGINT PRIMARY KEY, sale_id VARCHAR(128) NOT NULL,"
            + " user_id VARCHAR(256) NOT NULL, quantity INT NOT NULL,"
            + " confirmed_at TIMESTAMP(3) WITH TIME ZONE NOT NULL)");
        s.execute("CREATE INDEX " + TABLE + "_sale_user_idx ON " + TABLE + " (sale_id, user_id)");
      }
      c.setAutoCommit(false);
      long start = System.nanoTime();
      long inserted = 0;
      for (long from = 1; from <= n; from += batch) {
        int count = (int) Math.min(batch, n - from + 1);
        inserted += path.insert(c, from, count);
        c.commit();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      if (print) {
        System.out.printf("  batch %,6d  %-58s %,10.0f orders/s  (%s rows reported new)%n", batch,
            name, n / seconds, inserted < 0 ? "n/a" : String.valueOf(inserted));
      }
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE " + TABLE);
      }
      c.commit();
    }
  }

  private static java.time.OffsetDateTime at(long id) {
    return T0.plusMillis(id).atOffset(ZoneOffset.UTC);
  }

  private static int addBatch(Connection c, long from, int count) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE
        + " (order_id, sale_id, user_id, quantity, confirmed_at) VALUES (?, ?, ?, ?, ?)"
        + " ON CONFLICT (order_id) DO NOTHING")) {
      for (long id = from; id < from + count; id++) {
        ps.setLong(1, id);
        ps.setString(2, "sale-" + (id % 3));
        ps.setString(3, "user-" + id);
        ps.setInt(4, 1);
        ps.setObject(5, at(id));
        ps.addBatch();
      }
      int known = 0;
      for (int r : ps.executeBatch()) {
        if (r < 0) {
          return -1;
        }
        known += r;
      }
      return known;
    }
  }

  private static int multiRowValues(Connection c, long from, int count) throws SQLException {
    int inserted = 0;
    for (long chunk = from; chunk < from + count; chunk += 1_000) {
      int rows = (int) Math.min(1_000, from + count - chunk);
      StringBuilder sql = new StringBuilder("INSERT INTO " + TABLE
          + " (order_id, sale_id, user_id, quantity, confirmed_at) VALUES ");
      for (int i = 0; i < rows; i++) {
        sql.append(i == 0 ? "(?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?)");
      }
      sql.append(" ON CONFLICT (order_id) DO NOTHING RETURNING order_id");
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        int p = 1;
        for (long id = chunk; id < chunk + rows; id++) {
          ps.setLong(p++, id);
          ps.setString(p++, "sale-" + (id % 3));
          ps.setString(p++, "user-" + id);
          ps.setInt(p++, 1);
          ps.setObject(p++, at(id));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            inserted++;
          }
        }
      }
    }
    return inserted;
  }

  private static int copyStaging(Connection c, long from, int count) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE IF NOT EXISTS stage_paths (LIKE " + TABLE
          + " INCLUDING DEFAULTS) ON COMMIT DELETE ROWS");
    }
    StringBuilder csv = new StringBuilder(count * 64);
    for (long id = from; id < from + count; id++) {
      csv.append(id).append(',').append("sale-").append(id % 3).append(',').append("user-")
          .append(id).append(",1,").append(at(id)).append('\n');
    }
    try {
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      copy.copyIn("COPY stage_paths FROM STDIN (FORMAT csv)", new StringReader(csv.toString()));
    } catch (java.io.IOException e) {
      throw new SQLException(e);
    }
    int inserted = 0;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("INSERT INTO " + TABLE + " SELECT * FROM stage_paths"
            + " ON CONFLICT (order_id) DO NOTHING RETURNING order_id")) {
      while (rs.next()) {
        inserted++;
      }
    }
    return inserted;
  }

  private static int unnest(Connection c, long from, int count) throws SQLException {
    Long[] ids = new Long[count];
    String[] sales = new String[count];
    String[] users = new String[count];
    Integer[] qty = new Integer[count];
    Long[] millis = new Long[count];
    for (int i = 0; i < count; i++) {
      long id = from + i;
      ids[i] = id;
      sales[i] = "sale-" + (id % 3);
      users[i] = "user-" + id;
      qty[i] = 1;
      millis[i] = T0.plusMillis(id).toEpochMilli();
    }
    List<Array> arrays = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE
        + " (order_id, sale_id, user_id, quantity, confirmed_at)"
        + " SELECT o, s, u, q, TIMESTAMPTZ 'epoch' + m * INTERVAL '1 millisecond'"
        + " FROM unnest(?::bigint[], ?::varchar[], ?::varchar[], ?::int[], ?::bigint[]) AS x(o, s, u, q, m)"
        + " ON CONFLICT (order_id) DO NOTHING RETURNING order_id")) {
      arrays.add(c.createArrayOf("bigint", ids));
      arrays.add(c.createArrayOf("varchar", sales));
      arrays.add(c.createArrayOf("varchar", users));
      arrays.add(c.createArrayOf("int4", qty));
      arrays.add(c.createArrayOf("bigint", millis));
      for (int i = 0; i < arrays.size(); i++) {
        ps.setArray(i + 1, arrays.get(i));
      }
      int inserted = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          inserted++;
        }
      }
      return inserted;
    } finally {
      for (Array a : arrays) {
        a.free();
      }
    }
  }
}
