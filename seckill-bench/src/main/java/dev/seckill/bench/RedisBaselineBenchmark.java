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

import dev.seckill.PurchaseRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Redis + Lua baseline: one {@code EVALSHA} per purchase runs a script that checks the stock,
 * checks and records the user's count against the limit, decrements the stock and appends the
 * order to a list, atomically. {@value #CONNECTIONS} threads, one connection each (loopback), the
 * same crowd as {@link SubmitBenchmark}. {@code evalsha}: one request per round trip;
 * {@code evalshaPipelined}: {@value #PIPELINE} requests per round trip. Keys are fresh (a random
 * prefix, deleted) each iteration. Skipped with a message when no Redis answers at
 * {@code SECKILL_IT_REDIS_URL} (default {@code redis://127.0.0.1:6379}).
 *
 * <p>Run: {@code java -jar seckill-bench/target/benchmarks.jar RedisBaselineBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Threads(RedisBaselineBenchmark.CONNECTIONS)
@Fork(value = 1, jvmArgsAppend = {Jvm.OPENS_LANG, Jvm.OPENS_REFLECT, Jvm.EXPORTS_NIO,
    Jvm.EXPORTS_JAVAC, Jvm.EXPORTS_REF, Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.HEAP})
public class RedisBaselineBenchmark {
  public static final int CONNECTIONS = 50;
  public static final int PIPELINE = 16;

  /** KEYS: stock, users (hash), orders (list), order sequence. ARGV: user, quantity, limit. */
  static final String SCRIPT = String.join("\n",
      "local q = tonumber(ARGV[2])",
      "local r = tonumber(redis.call('GET', KEYS[1]) or '0')",
      "if r < q then if r == 0 then return " + Decisions.SOLD_OUT + " else return "
          + Decisions.INSUFFICIENT_STOCK + " end end",
      "local b = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')",
      "if b + q > tonumber(ARGV[3]) then return " + Decisions.LIMIT_REACHED + " end",
      "redis.call('HSET', KEYS[2], ARGV[1], b + q)",
      "redis.call('DECRBY', KEYS[1], q)",
      "local id = redis.call('INCR', KEYS[4])",
      "redis.call('RPUSH', KEYS[3], id .. ':' .. ARGV[1] .. ':' .. q)",
      "return id");

  String sha;
  volatile List<String> keys;

  @Setup(Level.Trial)
  public void load() {
    Servers.requireReachable("redis");
    try (Jedis j = connect()) {
      sha = j.scriptLoad(SCRIPT);
    }
  }

  @Setup(Level.Iteration)
  public void freshKeys() {
    String p = "seckill-bench:" + UUID.randomUUID() + ":";
    List<String> k = List.of(p + "stock", p + "users", p + "orders", p + "seq");
    try (Jedis j = connect()) {
      j.set(k.get(0), Long.toString(1L << 50));
    }
    keys = k;
  }

  @TearDown(Level.Iteration)
  public void dropKeys() {
    try (Jedis j = connect()) {
      j.del(keys.toArray(new String[0]));
    }
  }

  static Jedis connect() {
    return new Jedis(URI.create(Servers.redisUrl()), 5_000);
  }

  /** One connection and one slice of the crowd per thread. */
  @State(Scope.Thread)
  public static class Connection {
    @Param({"65536"})
    public int pool;

    Jedis jedis;
    Crowd crowd;
    final List<String> args = new ArrayList<>(List.of("", "1", Integer.toString(Crowd.LIMIT_PER_USER)));

    @Setup(Level.Trial)
    public void open(RedisBaselineBenchmark bench, ThreadParams threads) {
      // Taking the benchmark state makes its trial set-up (load) run first: it checks the server
      // once, with a clear message if absent; 50 probes at once
      // could time out on a busy machine and skip a baseline that is there.
      jedis = connect();
      crowd = Crowd.of("bench", "t" + threads.getThreadIndex() + "-", pool);
    }

    @Setup(Level.Iteration)
    public void rewind() {
      crowd.rewind();
    }

    @TearDown(Level.Trial)
    public void close() {
      if (jedis != null) {
        jedis.close();
      }
    }

    List<String> argsFor(PurchaseRequest r) {
      List<String> a = new ArrayList<>(3);
      a.add(r.userId());
      a.add(Integer.toString(r.quantity()));
      a.add(args.get(2));
      return a;
    }
  }

  @Benchmark
  public long evalsha(Connection c, Outcomes outcomes) {
    Object r = c.jedis.evalsha(sha, keys, c.argsFor(c.crowd.next()));
    long d = (Long) r;
    outcomes.add(d);
    return d;
  }

  @Benchmark
  @OperationsPerInvocation(PIPELINE)
  public void evalshaPipelined(Connection c, Outcomes outcomes) {
    List<String> k = keys;
    List<Response<Object>> responses = new ArrayList<>(PIPELINE);
    try (Pipeline p = c.jedis.pipelined()) {
      for (int i = 0; i < PIPELINE; i++) {
        responses.add(p.evalsha(sha, k, c.argsFor(c.crowd.next())));
      }
      p.sync();
    }
    for (Response<Object> r : responses) {
      outcomes.add((Long) r.get());
    }
  }
}
