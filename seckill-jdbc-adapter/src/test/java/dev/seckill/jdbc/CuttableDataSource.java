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

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A real DataSource whose network can be "cut": while cut, new connections are refused and every
 * connection handed out earlier is aborted, as a database restart or a partition would do. The
 * connections themselves are real ones to the real server.
 */
final class CuttableDataSource implements DataSource {
  private final DataSource real;
  private final Set<Connection> handedOut = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  CuttableDataSource(DataSource real) {
    this.real = real;
  }

  /** Cuts the link: refuses new connections and closes every open one under its user's feet. */
  void cut() throws SQLException {
    cut = true;
    for (Connection c : handedOut) {
      handedOut.remove(c);
      c.close();
    }
  }

  /** Restores the link. */
  void restore() {
    cut = false;
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (cut) {
      throw new SQLTransientConnectionException("connection refused: the link to the database is cut");
    }
    Connection c = real.getConnection();
    handedOut.add(c);
    handedOut.removeIf(open -> {
      try {
        return open.isClosed();
      } catch (SQLException e) {
        return true;
      }
    });
    return c;
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("credentials are in the URL");
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return real.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    real.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    real.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return real.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return real.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return real.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return real.isWrapperFor(iface);
  }
}
