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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.h2.api.Trigger;

/**
 * An H2 row trigger for tests: logs the sale id of every row inserted or updated in a summary
 * table into {@code <table>_LOG}, so a test can count summary writes per sale. PostgreSQL and
 * MariaDB get the same from an SQL trigger. Called by H2 on the writing transaction's thread.
 */
public final class SummaryLogTrigger implements Trigger {
  private String logTable;

  @Override
  public void init(Connection conn, String schemaName, String triggerName, String tableName,
      boolean before, int type) {
    this.logTable = tableName + "_LOG";
  }

  @Override
  public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(
        "INSERT INTO " + logTable + " (sale_id) VALUES (?)")) {
      ps.setObject(1, newRow[0]);
      ps.executeUpdate();
    }
  }
}
