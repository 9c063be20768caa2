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
package dev.seckill;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/** Test helper: the same task on several threads released at once by a latch. */
final class Concurrently {
  private Concurrently() {}

  /**
   * Runs {@code task} on {@code threads} new threads that start together, and returns each
   * thread's result once all have finished (a task's failure is rethrown by {@code join}).
   */
  static <T> List<T> race(int threads, Callable<T> task) throws InterruptedException {
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<T>> answers = new ArrayList<>();
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      CompletableFuture<T> answer = new CompletableFuture<>();
      answers.add(answer);
      Thread thread = new Thread(() -> {
        try {
          go.await();
          answer.complete(task.call());
        } catch (Throwable x) {
          answer.completeExceptionally(x);
        }
      });
      thread.start();
      started.add(thread);
    }
    go.countDown();
    List<T> results = new ArrayList<>();
    for (CompletableFuture<T> a : answers) {
      results.add(a.join());
    }
    for (Thread thread : started) {
      thread.join();
    }
    return results;
  }
}
