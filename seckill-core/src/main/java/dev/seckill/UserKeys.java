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

import java.security.SecureRandom;

/**
 * The fixed-width key of a (sale, buyer) pair in a shard's {@link UserTable}: SipHash-2-4 with a
 * 128-bit output, keyed by a secret drawn when the shard's ledger was created, over the sale's
 * index in the shard's catalog and the user id's UTF-16 code units.
 *
 * <p><b>Why a keyed 128-bit hash.</b> Fixed 16-byte keys make every entry of the users table the
 * same size, whatever the length of the id (no byte budget, no long-id overflow), and the hash is
 * computed on the caller's thread, off the writer. Two distinct pairs share a key with probability
 * about {@code n² / 2¹²⁹} for {@code n} pairs: below 10⁻²⁴ for 10 million buyers. The secret key
 * means nobody outside the process can choose ids that collide or that crowd one part of the table
 * (SipHash is a pseudo-random function under a secret key); a plain unkeyed hash would let a
 * hostile client with many accounts do both.
 *
 * <p><b>Encoding</b> (stable: it is persisted through the table): the message is the sale index
 * as 4 bytes little-endian followed by each {@code char} of the id as 2 bytes little-endian; the
 * result is the two 64-bit words of SipHash-2-4-128 ({@code hi} = the first, {@code lo} = the
 * second). A {@code hi} of 0 is replaced by 1: the table marks an empty slot with {@code hi == 0}.
 *
 * <p>Immutable; safe from any thread.
 */
final class UserKeys {
  private final long k0;
  private final long k1;

  UserKeys(long k0, long k1) {
    this.k0 = k0;
    this.k1 = k1;
  }

  /** A new secret key from {@link SecureRandom}. */
  static UserKeys random() {
    SecureRandom random = new SecureRandom();
    return new UserKeys(random.nextLong(), random.nextLong());
  }

  long k0() {
    return k0;
  }

  long k1() {
    return k1;
  }

  /**
   * Computes the key of ({@code saleIndex}, {@code userId}) into {@code out}. Allocation-free
   * (the state lives in locals; {@link #hashBytes} is the same algorithm written plainly).
   */
  void hash(int saleIndex, CharSequence userId, UserKey out) {
    long v0 = k0 ^ 0x736f6d6570736575L;
    long v1 = k1 ^ 0x646f72616e646f6dL ^ 0xee; // 0xee: the 128-bit output variant
    long v2 = k0 ^ 0x6c7967656e657261L;
    long v3 = k1 ^ 0x7465646279746573L;
    int n = userId.length();
    long m = saleIndex & 0xFFFFFFFFL; // 16-bit units 0 and 1
    int filled = 2;
    int next = 0; // the next char of userId; n + 1 once the last block is done
    long hi = 0;
    // One pass per step: each message word (2 rounds), the last block (2 rounds), then the two
    // finalisations (4 rounds each), so the round function is written once.
    while (true) {
      int rounds;
      if (next < n) {
        m |= (long) userId.charAt(next++) << (filled << 4);
        if (++filled < 4) {
          continue;
        }
        v3 ^= m;
        rounds = 2;
      } else if (next == n) {
        m |= (2L * (n + 2)) << 56; // the last block: the message length in bytes, mod 256
        v3 ^= m;
        next++;
        rounds = 2;
      } else if (filled >= 0) {
        v2 ^= 0xee; // first finalisation
        filled = -1;
        m = 0;
        rounds = 4;
      } else {
        v1 ^= 0xdd; // second finalisation
        filled = -2;
        m = 0;
        rounds = 4;
      }
      for (int r = 0; r < rounds; r++) {
        v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
        v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
      }
      if (filled >= 0) { // a message word or the last block
        v0 ^= m;
        m = 0;
        filled = 0;
      } else if (filled == -1) {
        hi = v0 ^ v1 ^ v2 ^ v3;
      } else {
        out.set(hi == 0 ? 1 : hi, v0 ^ v1 ^ v2 ^ v3); // hi == 0 marks an empty table slot
        return;
      }
    }
  }

  /**
   * SipHash-2-4-128 of {@code message} under ({@code k0}, {@code k1}): the reference algorithm
   * over bytes, for tests (it checks {@link #hash} against the reference vectors through the
   * byte encoding above).
   */
  static void hashBytes(long k0, long k1, byte[] message, UserKey out) {
    long[] v = {
        k0 ^ 0x736f6d6570736575L, k1 ^ 0x646f72616e646f6dL ^ 0xee,
        k0 ^ 0x6c7967656e657261L, k1 ^ 0x7465646279746573L};
    int full = message.length & ~7;
    for (int i = 0; i < full; i += 8) {
      long m = 0;
      for (int j = 7; j >= 0; j--) {
        m = (m << 8) | (message[i + j] & 0xFF);
      }
      v[3] ^= m;
      rounds(v, 2);
      v[0] ^= m;
    }
    long b = (long) message.length << 56;
    for (int j = message.length - 1; j >= full; j--) {
      b |= (long) (message[j] & 0xFF) << ((j - full) << 3);
    }
    finish(v, b, out);
  }

  /** The last block, then the two finalisations of the 128-bit variant. */
  private static void finish(long[] v, long b, UserKey out) {
    v[3] ^= b;
    rounds(v, 2);
    v[0] ^= b;
    v[2] ^= 0xee;
    rounds(v, 4);
    long hi = v[0] ^ v[1] ^ v[2] ^ v[3];
    v[1] ^= 0xdd;
    rounds(v, 4);
    out.set(hi, v[0] ^ v[1] ^ v[2] ^ v[3]);
  }

  private static void rounds(long[] v, int n) {
    for (int i = 0; i < n; i++) {
      round(v);
    }
  }

  private static void round(long[] v) {
    long v0 = v[0];
    long v1 = v[1];
    long v2 = v[2];
    long v3 = v[3];
    v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
    v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
    v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
    v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
    v[0] = v0;
    v[1] = v1;
    v[2] = v2;
    v[3] = v3;
  }
}
