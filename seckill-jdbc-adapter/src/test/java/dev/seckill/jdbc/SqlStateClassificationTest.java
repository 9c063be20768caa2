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

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which SQL failures are permanent for the rows (class 22, 23) and which are retried. */
class SqlStateClassificationTest {
  final OrderWriter postgres = OrderWriter.create(Dialect.POSTGRESQL, "t", null);
  final OrderWriter mysql = OrderWriter.create(Dialect.MYSQL, "t", null);
  final OrderWriter h2 = OrderWriter.create(Dialect.H2, "t", null);

  @ParameterizedTest
  @ValueSource(strings = {"22021", "22001", "22P02", "23514", "23503", "23502", "23000", "23505"})
  void dataExceptionsAndConstraintViolationsArePermanent(String state) {
    assertThat(postgres.isPermanent(new SQLException("refused", state))).isTrue();
    assertThat(mysql.isPermanent(new SQLException("refused", state))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"08006", "08001", "40001", "40P01", "42P01", "42501", "53300", "57014",
      "HY000", "HYT00", "XX000", "0"})
  void everythingElseIsTransient(String state) {
    assertThat(postgres.isPermanent(new SQLException("failed", state))).isFalse();
    assertThat(h2.isPermanent(new SQLException("failed", state))).isFalse();
  }

  @Test
  void noStateIsTransient() {
    assertThat(postgres.isPermanent(new SQLException("no state"))).isFalse();
  }

  @Test
  void h2sUniqueKeyRaceIsNotPermanentButItsCheckViolationIs() {
    assertThat(h2.isPermanent(new SQLException("race", "23505"))).isFalse();
    assertThat(h2.isPermanent(new SQLException("check", "23513"))).isTrue();
  }

  @Test
  void aBatchExceptionIsClassifiedByWhatItWraps() {
    BatchUpdateException batch = new BatchUpdateException("batch failed", null, new int[0]);
    batch.setNextException(new SQLException("check", "23514"));
    assertThat(postgres.isPermanent(batch)).isTrue();
    BatchUpdateException viaCause = new BatchUpdateException("batch failed", new int[0],
        new SQLException("nul", "22021"));
    assertThat(postgres.isPermanent(viaCause)).isTrue();
  }

  @Test
  void aTransientStateAnywhereInTheChainWins() {
    SQLException top = new SQLException("constraint?", "23000",
        new SQLException("connection reset", "08006"));
    assertThat(postgres.isPermanent(top)).isFalse();
  }

  @Test
  void mysqlIgnoredRowWarningsMapToClass22Or23() {
    assertThat(MySqlOrderWriter.ignoredRowState(4025)).isEqualTo("23000"); // MariaDB CHECK
    assertThat(MySqlOrderWriter.ignoredRowState(3819)).isEqualTo("23000"); // MySQL CHECK
    assertThat(MySqlOrderWriter.ignoredRowState(1452)).isEqualTo("23000"); // foreign key
    assertThat(MySqlOrderWriter.ignoredRowState(1406)).isEqualTo("22001"); // too long
    assertThat(MySqlOrderWriter.ignoredRowState(1062)).isNull(); // duplicate: the idempotent path
    assertThat(MySqlOrderWriter.ignoredRowState(1287)).isNull(); // deprecation: not about rows
  }
}
