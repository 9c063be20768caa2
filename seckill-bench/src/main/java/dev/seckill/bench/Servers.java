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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * Where the baselines' servers are: the CI environment variables, or the loopback defaults. A
 * baseline whose server does not answer is skipped with a printed message.
 */
public final class Servers {
  public static final String REDIS_ENV = "SECKILL_IT_REDIS_URL";
  public static final String POSTGRES_ENV = "SECKILL_IT_POSTGRES_URL";
  public static final String MYSQL_ENV = "SECKILL_IT_MYSQL_URL";

  private Servers() {}

  public static String redisUrl() {
    return env(REDIS_ENV, "redis://127.0.0.1:6379");
  }

  public static String postgresUrl() {
    return env(POSTGRES_ENV, "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
  }

  public static String mysqlUrl() {
    return env(MYSQL_ENV, "jdbc:mariadb://127.0.0.1:3306/test?user=root");
  }

  /** True if {@code SECKILL_IT_REQUIRED=true}: a missing server is then a failure, not a skip. */
  public static boolean required() {
    return "true".equals(System.getenv("SECKILL_IT_REQUIRED"));
  }

  /** The URL a baseline ({@code redis}, {@code postgres}, {@code mariadb}, {@code h2}) uses. */
  public static String urlOf(String server) {
    switch (server) {
      case "redis":
        return redisUrl();
      case "postgres":
        return postgresUrl();
      case "mariadb":
        return mysqlUrl();
      case "h2":
        return "jdbc:h2:file:(temporary directory)";
      default:
        throw new IllegalArgumentException("unknown server: " + server);
    }
  }

  /** True if the server answers a TCP connect within two seconds (H2 is embedded: always). */
  public static boolean reachable(String server) {
    if (server.equals("h2")) {
      return true;
    }
    String url = urlOf(server);
    URI uri = URI.create(url.startsWith("jdbc:") ? url.substring(5) : url);
    String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
    int port = uri.getPort() > 0 ? uri.getPort()
        : server.equals("redis") ? 6379 : server.equals("postgres") ? 5432 : 3306;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 2_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The message printed when a baseline is skipped. */
  public static String skipMessage(String server) {
    return "SKIPPED baseline '" + server + "': no server at " + urlOf(server)
        + " (set " + (server.equals("redis") ? REDIS_ENV
        : server.equals("postgres") ? POSTGRES_ENV : MYSQL_ENV) + " to point at one)";
  }

  /** Fails the benchmark's set-up with the skip message if the server is absent. */
  public static void requireReachable(String server) {
    if (!reachable(server)) {
      String msg = skipMessage(server);
      System.out.println(msg);
      throw new IllegalStateException(msg);
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** Prints which servers answer; used by run.sh. */
  public static void main(String[] args) {
    for (String s : new String[] {"redis", "postgres", "mariadb"}) {
      System.out.println(s + " " + (reachable(s) ? "up" : "down") + " " + urlOf(s));
    }
  }
}
