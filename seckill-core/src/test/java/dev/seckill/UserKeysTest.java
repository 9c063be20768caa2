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

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The users table's key: SipHash-2-4-128 against the reference vectors, the allocation-free
 * char form against the reference byte form, and what goes into the key.
 */
class UserKeysTest {
  /** The reference key 00 01 .. 0f as SipHash reads it: two little-endian words. */
  static final long K0 = 0x0706050403020100L;
  static final long K1 = 0x0f0e0d0c0b0a0908L;

  /**
   * vectors_sip128 of the reference implementation (github.com/veorq/SipHash, vectors.h): the
   * tag of the message 00 01 .. (len-1) under the key above, for len = 0..5.
   */
  static final String[] SIP128 = {
      "a3817f04ba25a8e66df67214c7550293",
      "da87c1d86b99af44347659119b22fc45",
      "8177228da4a45dc7fca38bdef60affe4",
      "9c70b60c5267a94e5f33b6b02985ed51",
      "f88164c12d9c8faf7d0f6e7c7bcd5579",
      "1368875980776f8854527a07690e9627",
  };

  @Test
  void theByteFormMatchesTheReferenceVectors() {
    for (int len = 0; len < SIP128.length; len++) {
      byte[] message = new byte[len];
      for (int i = 0; i < len; i++) {
        message[i] = (byte) i;
      }
      UserKey k = new UserKey();
      UserKeys.hashBytes(K0, K1, message, k);
      ByteBuffer tag = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      tag.putLong(k.hi).putLong(k.lo);
      assertThat(hex(tag.array())).as("length %d", len).isEqualTo(SIP128[len]);
    }
  }

  @Test
  void theCharFormIsTheByteFormOfTheDocumentedEncoding() {
    UserKeys keys = new UserKeys(0x1234_5678_9abc_def0L, -42L);
    String[] ids = {"a", "ab", "abc", "abcd", "abcde", "user-1234567", "用户", "x".repeat(256),
        "\uD83D\uDE00 emoji", "0|not a separator"};
    for (int sale : new int[] {0, 1, 65_535, 65_536, Integer.MAX_VALUE}) {
      for (String id : ids) {
        ByteBuffer b = ByteBuffer.allocate(4 + 2 * id.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(sale);
        for (int i = 0; i < id.length(); i++) {
          b.putChar(id.charAt(i));
        }
        UserKey expected = new UserKey();
        UserKeys.hashBytes(keys.k0(), keys.k1(), b.array(), expected);
        UserKey actual = new UserKey();
        keys.hash(sale, id, actual);
        assertThat(actual.hi).as("hi of (%d, %s)", sale, id)
            .isEqualTo(expected.hi == 0 ? 1 : expected.hi);
        assertThat(actual.lo).as("lo of (%d, %s)", sale, id).isEqualTo(expected.lo);
      }
    }
  }

  @Test
  void theKeyDependsOnTheSaleTheIdAndTheSecret() {
    UserKeys a = new UserKeys(1, 2);
    UserKeys b = new UserKeys(1, 3);
    assertThat(key(a, 0, "alice")).isNotEqualTo(key(a, 1, "alice"));
    assertThat(key(a, 0, "alice")).isNotEqualTo(key(a, 0, "alicf"));
    assertThat(key(a, 0, "alice")).isNotEqualTo(key(b, 0, "alice"));
    assertThat(key(a, 0, "alice")).isEqualTo(key(a, 0, new StringBuilder("alice")));
    // "1|2" in sale 0 is not "2" in sale 1: the sale index is a fixed 4 bytes, not text
    assertThat(key(a, 0, "1|2")).isNotEqualTo(key(a, 1, "2"));
  }

  @Test
  void aMillionIdsGiveAMillionKeys() {
    UserKeys keys = UserKeys.random();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1_000_000; i++) {
      seen.add(key(keys, i & 3, "u" + i));
    }
    assertThat(seen).hasSize(1_000_000);
  }

  static String key(UserKeys keys, int sale, CharSequence id) {
    UserKey k = new UserKey();
    keys.hash(sale, id, k);
    return Long.toHexString(k.hi) + ":" + Long.toHexString(k.lo);
  }

  static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte x : bytes) {
      sb.append(String.format("%02x", x & 0xFF));
    }
    return sb.toString();
  }
}
