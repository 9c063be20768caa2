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

import java.util.Locale;

/**
 * The SQL dialects {@link JdbcOrderSink} and {@link JdbcStockCoordinator} speak. Immutable;
 * usable from any thread.
 *
 * <p>{@link #AUTO} (the default) asks the database once, at {@link JdbcOrderSink.Builder#build()},
 * through {@link java.sql.DatabaseMetaData#getDatabaseProductName()}: "H2" is {@link #H2},
 * "PostgreSQL" is {@link #POSTGRESQL}, "MySQL" and "MariaDB" are {@link #MYSQL}.
 */
public enum Dialect {
  /** Detect from the database's product name when the sink is built. */
  AUTO,
  /** H2 2.x: {@code MERGE INTO ... USING ... WHEN NOT MATCHED THEN INSERT}. */
  H2,
  /** PostgreSQL 9.5+: {@code INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING}. */
  POSTGRESQL,
  /** MySQL 5.7+/8.x and MariaDB 10.3+: multi-row {@code INSERT IGNORE}. */
  MYSQL;

  private static final String SUPPORTED = "AUTO, H2, POSTGRESQL, MYSQL (aliases: postgres, mariadb)";

  /**
   * The dialect with this name, ignoring case; "postgres" and "mariadb" are accepted as aliases.
   *
   * @param name a constant's name ({@code auto}, {@code h2}, {@code postgresql}, {@code mysql})
   *     or an alias, in any case, surrounding blanks ignored; for example from a configuration file
   * @return the dialect; never null
   * @throws IllegalArgumentException if the name is unknown; the message lists the supported ones
   */
  public static Dialect of(String name) {
    if (name == null) {
      throw new IllegalArgumentException("dialect name must not be null; supported: " + SUPPORTED);
    }
    String n = name.trim().toUpperCase(Locale.ROOT);
    switch (n) {
      case "POSTGRES":
        return POSTGRESQL;
      case "MARIADB":
        return MYSQL;
      default:
        for (Dialect d : values()) {
          if (d.name().equals(n)) {
            return d;
          }
        }
        throw new IllegalArgumentException(
            "unknown dialect '" + name + "'; supported: " + SUPPORTED);
    }
  }

  /**
   * The dialect for a {@code DatabaseMetaData.getDatabaseProductName()} value.
   *
   * @throws IllegalStateException if the product is not one this adapter supports
   */
  static Dialect detect(String productName) {
    String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
    if (p.contains("h2")) {
      return H2;
    }
    if (p.contains("postgresql")) {
      return POSTGRESQL;
    }
    if (p.contains("mysql") || p.contains("mariadb")) {
      return MYSQL;
    }
    throw new IllegalStateException("dialect AUTO cannot handle database product '" + productName
        + "'; supported products: H2, PostgreSQL, MySQL, MariaDB. Set dialect(...) explicitly"
        + " only if the database accepts one of those dialects' SQL");
  }

  /** The schema resource on the class path, e.g. {@code dev/seckill/jdbc/schema-h2.sql}. */
  String schemaResource() {
    if (this == AUTO) {
      throw new IllegalStateException("AUTO has no schema; detect the dialect first");
    }
    return "dev/seckill/jdbc/schema-" + name().toLowerCase(Locale.ROOT) + ".sql";
  }
}
