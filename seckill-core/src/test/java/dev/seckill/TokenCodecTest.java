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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Purchase tokens: every way a token can be wrong is refused, and only the right one passes. */
class TokenCodecTest {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  static final long NOW = 1_800_000_000_000L;
  static final long EXPIRY = NOW + 60_000;

  final TokenCodec codec = new TokenCodec(SECRET);
  final String token = codec.issue("phone-42", "user-7", EXPIRY);

  @Test
  void theIssuedTokenIsValidForItsSaleAndUserUntilItExpires() {
    assertThat(token).startsWith("1.").hasSizeLessThanOrEqualTo(TokenCodec.MAX_TOKEN_LENGTH);
    assertThat(codec.verify(token, "phone-42", "user-7", NOW)).isEqualTo(TokenCodec.Check.VALID);
    assertThat(codec.verify(token, "phone-42", "user-7", EXPIRY - 1)).isEqualTo(TokenCodec.Check.VALID);
    assertThat(codec.verify(token, "phone-42", "user-7", EXPIRY)).isEqualTo(TokenCodec.Check.EXPIRED);
    assertThat(codec.verify(token, "phone-42", "user-7", EXPIRY + 86_400_000)).isEqualTo(TokenCodec.Check.EXPIRED);
  }

  @Test
  void missingTokens() {
    assertThat(codec.verify(null, "phone-42", "user-7", NOW)).isEqualTo(TokenCodec.Check.MISSING);
    assertThat(codec.verify("", "phone-42", "user-7", NOW)).isEqualTo(TokenCodec.Check.MISSING);
  }

  @Test
  void anotherUserOrSaleCannotUseIt() {
    assertThat(codec.verify(token, "phone-42", "user-8", NOW)).isEqualTo(TokenCodec.Check.FORGED);
    assertThat(codec.verify(token, "phone-43", "user-7", NOW)).isEqualTo(TokenCodec.Check.FORGED);
    // Shifting a character across the sale/user boundary is a different message.
    String shifted = codec.issue("ab", "c", EXPIRY);
    assertThat(codec.verify(shifted, "a", "bc", NOW)).isEqualTo(TokenCodec.Check.FORGED);
  }

  @Test
  void everySingleBitFlipIsRefused() {
    for (int i = 0; i < token.length(); i++) {
      for (int bit = 0; bit < 16; bit++) {
        char[] chars = token.toCharArray();
        chars[i] ^= (char) (1 << bit);
        String flipped = new String(chars);
        assertThat(codec.verify(flipped, "phone-42", "user-7", NOW))
            .as("char %d bit %d: %s", i, bit, flipped)
            .isNotEqualTo(TokenCodec.Check.VALID);
      }
    }
  }

  @Test
  void everyTruncationAndExtensionIsRefused() {
    for (int n = 0; n < token.length(); n++) {
      assertThat(codec.verify(token.substring(0, n), "phone-42", "user-7", NOW)).as("length %d", n)
          .isNotEqualTo(TokenCodec.Check.VALID);
      assertThat(codec.verify(token.substring(n + 1), "phone-42", "user-7", NOW)).as("from %d", n + 1)
          .isNotEqualTo(TokenCodec.Check.VALID);
    }
    assertThat(codec.verify(token + "A", "phone-42", "user-7", NOW)).isNotEqualTo(TokenCodec.Check.VALID);
    assertThat(codec.verify("1.0" + token.substring(2), "phone-42", "user-7", NOW))
        .isEqualTo(TokenCodec.Check.MALFORMED); // a leading zero is a second spelling: refused
  }

  @Test
  void aForgedExpiryFailsTheMac() {
    String later = "1." + Long.toString(EXPIRY + 3_600_000, 36) + token.substring(token.lastIndexOf('.'));
    assertThat(codec.verify(later, "phone-42", "user-7", NOW)).isEqualTo(TokenCodec.Check.FORGED);
  }

  @Test
  void anotherSecretIsRefusedAndTheSameSecretIsAccepted() {
    byte[] other = SECRET.clone();
    other[0] ^= 1;
    assertThat(new TokenCodec(other).verify(token, "phone-42", "user-7", NOW))
        .isEqualTo(TokenCodec.Check.FORGED);
    TokenCodec sameSecretElsewhere = new TokenCodec(SECRET.clone());
    assertThat(sameSecretElsewhere.verify(token, "phone-42", "user-7", NOW))
        .isEqualTo(TokenCodec.Check.VALID);
  }

  @Test
  void theSecretIsCopied() {
    byte[] secret = SECRET.clone();
    TokenCodec c = new TokenCodec(secret);
    String t = c.issue("s", "u", EXPIRY);
    Arrays.fill(secret, (byte) 0);
    assertThat(c.verify(t, "s", "u", NOW)).isEqualTo(TokenCodec.Check.VALID);
  }

  @Test
  void shortSecretsAreRefusedWithTheSettingName() {
    assertThatThrownBy(() -> new TokenCodec(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenSecret must be at least 32 bytes, was 31 bytes");
    assertThatThrownBy(() -> new TokenCodec(null)).hasMessageContaining("was null");
  }

  @Test
  void verifyWorksFromManyThreads() throws Exception {
    Thread[] threads = new Thread[4];
    boolean[] ok = new boolean[threads.length];
    for (int t = 0; t < threads.length; t++) {
      int id = t;
      threads[t] = new Thread(() -> {
        String mine = codec.issue("s", "u" + id, EXPIRY);
        boolean all = true;
        for (int i = 0; i < 5_000; i++) {
          all &= codec.verify(mine, "s", "u" + id, NOW) == TokenCodec.Check.VALID;
          all &= codec.verify(mine, "s", "u" + (id + 1), NOW) == TokenCodec.Check.FORGED;
        }
        ok[id] = all;
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(ok).containsOnly(true);
  }

  /** Allocation-light: only the JDK's digest output, measured with HotSpot's per-thread counter. */
  @Test
  void verifyAllocatesOnlyTheJdkDigest() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    if (!(bean instanceof com.sun.management.ThreadMXBean)) {
      return; // not HotSpot: nothing to measure with
    }
    com.sun.management.ThreadMXBean hotspot = (com.sun.management.ThreadMXBean) bean;
    long tid = Thread.currentThread().getId();
    for (int i = 0; i < 20_000; i++) { // warm up: JIT, ThreadLocal, provider lookup
      codec.verify(token, "phone-42", "user-7", NOW);
    }
    int n = 50_000;
    long before = hotspot.getThreadAllocatedBytes(tid);
    int valid = 0;
    for (int i = 0; i < n; i++) {
      if (codec.verify(token, "phone-42", "user-7", NOW) == TokenCodec.Check.VALID) {
        valid++;
      }
    }
    long perCall = (hotspot.getThreadAllocatedBytes(tid) - before) / n;
    assertThat(valid).isEqualTo(n);
    assertThat(perCall).as("bytes allocated per verify").isLessThanOrEqualTo(128);
    System.out.println("token verify allocates " + perCall + " bytes per call");
  }
}
