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

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The purchase-token codec: issues and verifies HMAC-SHA256 tokens bound to one sale, one user
 * and an expiry time.
 *
 * <p>Threads: safe from any number of threads. Each thread gets its own {@link Mac} and scratch
 * buffers through a {@link ThreadLocal}, so {@link #verify} parses the token in place and builds
 * no String and no key; the only garbage left is the JDK's own HMAC digest output (a few dozen
 * bytes per call, which escape analysis may remove). {@link #issue} builds the token string.
 *
 * <h2>Format</h2>
 * <pre>
 *   1.&lt;expiry&gt;.&lt;mac&gt;
 *   │  │        └ base64url without padding of HMAC-SHA256(secret, message): exactly 43 characters
 *   │  └ expiry, epoch milliseconds in lowercase base 36, no leading zero
 *   └ format version
 *
 *   message = 0x01 | len(saleId) u16 | saleId UTF-16BE | len(userId) u16 | userId UTF-16BE | expiry i64
 * </pre>
 * The sale and user are not in the token: the verifier supplies them from the request, so a token
 * presented for another sale or user simply fails its MAC. The length prefixes make the message
 * unambiguous ("ab"+"c" and "a"+"bc" differ). Decoding is strict (one canonical spelling per
 * token: lowercase base 36 without leading zeros, base64url whose unused trailing bits are zero),
 * so no bit flip yields another valid spelling of the same token. The MAC comparison is
 * constant-time ({@link MessageDigest#isEqual}).
 *
 * <p>A token is not single-use: until it expires it may be presented again. Replays are harmless
 * because the ledger's per-user limit and the throttles decide how often it can buy.
 */
final class TokenCodec {
  /** What {@link #verify} found. Every value but {@link #VALID} means the token is refused. */
  public enum Check {
    /** Well-formed, unexpired, and signed with this codec's secret for this sale and user. */
    VALID,
    /** No token was presented (null or empty). */
    MISSING,
    /** Not a token of this format: wrong version, length, alphabet or a non-canonical spelling. */
    MALFORMED,
    /** Well-formed but at or past its expiry. */
    EXPIRED,
    /** Well-formed and unexpired, but its MAC does not match: forged, altered, issued for
     *  another sale or user, or signed with another secret. */
    FORGED
  }

  /** HMAC-SHA256 output length in bytes. */
  static final int MAC_BYTES = 32;
  /** Characters of a MAC in unpadded base64url. */
  static final int MAC_CHARS = 43;
  /** The longest token {@link #issue} produces (prefix, 13 base-36 digits, dot, MAC). */
  static final int MAX_TOKEN_LENGTH = 2 + 13 + 1 + MAC_CHARS;
  /** The shortest secret accepted, in bytes. */
  public static final int MIN_SECRET_BYTES = 32;

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte VERSION = 1;
  private static final int[] BASE64URL = new int[128];

  static {
    Arrays.fill(BASE64URL, -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      BASE64URL[alphabet.charAt(i)] = i;
    }
  }

  private final SecretKeySpec key;
  private final ThreadLocal<Scratch> scratch;

  /**
   * A codec signing with {@code secret} (copied). Codecs built from equal secrets accept each
   * other's tokens, which is how several application nodes share them.
   *
   * @throws IllegalArgumentException if {@code secret} is shorter than {@link #MIN_SECRET_BYTES}
   * @throws IllegalStateException if the JVM has no HmacSHA256 (every Java SE JVM has it)
   */
  public TokenCodec(byte[] secret) {
    if (secret == null || secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("tokenSecret must be at least " + MIN_SECRET_BYTES
          + " bytes, was " + (secret == null ? "null" : secret.length + " bytes"));
    }
    this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
    newMac(key); // fail now, not on the first request
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(newMac(key)));
  }

  /**
   * Issues a token for {@code userId} in {@code saleId}, valid until {@code expiresAtMillis}
   * (exclusive). Allocates the returned string.
   *
   * @throws IllegalArgumentException if {@code expiresAtMillis} is negative
   */
  public String issue(String saleId, String userId, long expiresAtMillis) {
    if (expiresAtMillis < 0) {
      throw new IllegalArgumentException("expiresAtMillis must be at least 0, was " + expiresAtMillis);
    }
    Scratch s = scratch.get();
    byte[] mac = new byte[MAC_BYTES];
    s.sign(saleId, userId, expiresAtMillis, mac);
    return "1." + Long.toString(expiresAtMillis, 36) + '.'
        + Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
  }

  /**
   * Checks {@code token} for {@code saleId} and {@code userId} at {@code nowMillis}. Builds no
   * String; the MAC comparison takes the same time wherever the first differing byte is.
   */
  public Check verify(@Nullable String token, String saleId, String userId, long nowMillis) {
    if (token == null || token.isEmpty()) {
      return Check.MISSING;
    }
    int length = token.length();
    if (length < 2 + 1 + 1 + MAC_CHARS || length > MAX_TOKEN_LENGTH
        || token.charAt(0) != '1' || token.charAt(1) != '.') {
      return Check.MALFORMED;
    }
    int macStart = length - MAC_CHARS;
    if (token.charAt(macStart - 1) != '.') {
      return Check.MALFORMED;
    }
    long expiry = parseBase36(token, 2, macStart - 1);
    if (expiry < 0) {
      return Check.MALFORMED;
    }
    Scratch s = scratch.get();
    if (!decodeMac(token, macStart, s.presented)) {
      return Check.MALFORMED;
    }
    if (nowMillis >= expiry) {
      return Check.EXPIRED;
    }
    s.sign(saleId, userId, expiry, s.expected);
    return MessageDigest.isEqual(s.expected, s.presented) ? Check.VALID : Check.FORGED;
  }

  /** Parses canonical lowercase base 36 in {@code [from, to)}; -1 if malformed or too large. */
  static long parseBase36(String s, int from, int to) {
    int digits = to - from;
    if (digits < 1 || digits > 13 || (digits > 1 && s.charAt(from) == '0')) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'z') {
        d = c - 'a' + 10;
      } else {
        return -1;
      }
      if (value > (Long.MAX_VALUE - d) / 36) {
        return -1;
      }
      value = value * 36 + d;
    }
    return value;
  }

  /** Decodes 43 canonical base64url characters at {@code from} into 32 bytes; false if invalid. */
  static boolean decodeMac(String s, int from, byte[] out) {
    int bits = 0;
    int buffer = 0;
    int o = 0;
    for (int i = 0; i < MAC_CHARS; i++) {
      char c = s.charAt(from + i);
      int v = c < 128 ? BASE64URL[c] : -1;
      if (v < 0) {
        return false;
      }
      buffer = (buffer << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = (byte) (buffer >>> bits);
        buffer &= (1 << bits) - 1;
      }
    }
    return buffer == 0; // the 2 bits left over must be zero: one spelling per MAC
  }

  private static Mac newMac(SecretKeySpec key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot compute " + ALGORITHM, e);
    }
  }

  /** One thread's MAC and buffers; never shared. */
  private static final class Scratch {
    private final Mac mac;
    private byte[] message = new byte[1024];
    final byte[] expected = new byte[MAC_BYTES];
    final byte[] presented = new byte[MAC_BYTES];

    Scratch(Mac mac) {
      this.mac = mac;
    }

    void sign(String saleId, String userId, long expiry, byte[] out) {
      int needed = 1 + 2 + 2 * saleId.length() + 2 + 2 * userId.length() + 8;
      if (needed > message.length) {
        message = new byte[Math.max(needed, message.length * 2)];
      }
      byte[] m = message;
      int p = 0;
      m[p++] = VERSION;
      p = putString(m, p, saleId);
      p = putString(m, p, userId);
      for (int shift = 56; shift >= 0; shift -= 8) {
        m[p++] = (byte) (expiry >>> shift);
      }
      mac.update(m, 0, p);
      try {
        mac.doFinal(out, 0);
      } catch (javax.crypto.ShortBufferException e) {
        throw new IllegalStateException("MAC buffer too small", e); // cannot happen: 32 bytes
      }
    }

    private static int putString(byte[] m, int p, String s) {
      int n = s.length();
      if (n > 0xFFFF) {
        throw new IllegalArgumentException("id longer than 65535 characters: " + n);
      }
      m[p++] = (byte) (n >>> 8);
      m[p++] = (byte) n;
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        m[p++] = (byte) (c >>> 8);
        m[p++] = (byte) c;
      }
      return p;
    }
  }
}
