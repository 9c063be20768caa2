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

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on an ephemeral loopback port in front of a database, one per cluster node, that
 * can cut the node off from the database the way a network partition does.
 *
 * <ul>
 *   <li>{@link #partition()}: bytes stop flowing both ways. Existing connections stay open
 *       (nothing is closed or reset): what the proxy has read is held, the rest waits in the
 *       kernel's buffers, so the node's calls hang as on a black-holed route. New connections are
 *       accepted but not forwarded (the database never sees them) until {@link #heal()}.
 *   <li>{@link #heal()}: everything held is delivered in order, as TCP delivers after a partition
 *       heals; connections the node gave up on in between are closed by the node itself.
 *   <li>{@link #cut()}: closes every connection (a reset, as when a database restarts).
 * </ul>
 */
final class TcpProxy implements AutoCloseable {
  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Object lock = new Object();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private boolean partitioned;
  private boolean closed;
  private long heldSincePartition;

  TcpProxy(String host, int port) throws IOException {
    this.target = new InetSocketAddress(host, port);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "proxy-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The loopback port the node connects to. */
  int port() {
    return server.getLocalPort();
  }

  /** Stops forwarding, both ways, on existing and new connections; closes nothing. */
  void partition() {
    synchronized (lock) {
      partitioned = true;
      heldSincePartition = 0;
    }
  }

  /** Resumes forwarding; what was held is delivered. */
  void heal() {
    synchronized (lock) {
      partitioned = false;
      lock.notifyAll();
    }
  }

  /**
   * How many times traffic (a read chunk or a new connection) was held since the last
   * {@link #partition()}: positive once the node has tried to talk to the database through it.
   */
  long heldSincePartition() {
    synchronized (lock) {
      return heldSincePartition;
    }
  }

  /** Closes every open connection (both sides); the proxy keeps accepting new ones. */
  void cut() {
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    closeQuietly(server);
    cut();
  }

  private void acceptLoop() {
    while (true) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      sockets.add(client);
      Thread t = new Thread(() -> connect(client), "proxy-conn-" + port());
      t.setDaemon(true);
      t.start();
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    sockets.add(upstream);
    try {
      if (!awaitOpen()) {
        throw new IOException("proxy closed");
      }
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      upstream.connect(target, 5_000);
      Thread back = new Thread(() -> pump(upstream, client), "proxy-down-" + port());
      back.setDaemon(true);
      back.start();
      pump(client, upstream);
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  /** Copies from one socket to the other; a read chunk waits while partitioned. */
  private void pump(Socket from, Socket to) {
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      while (true) {
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        if (!awaitOpen()) {
          break;
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // either side closed or reset: end both
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  /** Waits while partitioned; false if the proxy closed. */
  private boolean awaitOpen() {
    synchronized (lock) {
      if (partitioned) {
        heldSincePartition++;
      }
      while (partitioned && !closed) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return !closed;
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
