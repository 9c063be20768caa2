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

import dev.seckill.spi.AdmissionDecision;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission through the public API: purchase tokens, throttles and blocks, the policy hook, the
 * sale view, and the counters. Time moves by hand; nothing sleeps.
 */
class AdmissionEngineTest {
  static final Instant START = Instant.parse("2026-11-11T00:00:00Z");
  static final Instant END = START.plus(Duration.ofHours(1));
  static final byte[] SECRET = "a shared secret of 32 bytes or more!".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(START.minusSeconds(60));
  final List<SeckillEngine> engines = new ArrayList<>();

  @AfterEach
  void closeAll() {
    engines.forEach(SeckillEngine::close);
  }

  SeckillEngine engine(String name, AdmissionSettings admission) {
    SeckillEngine.Builder b = SeckillEngine.builder().dataDir(dir.resolve(name)).clock(clock)
        .maxUsersPerShard(1000).outboxCapacityPerShard(1000);
    if (admission != null) {
      b.admission(admission);
    }
    SeckillEngine e = b.build();
    engines.add(e);
    return e;
  }

  static Sale sale(String id, boolean token, int limit) {
    return Sale.builder(id).stock(100).startsAt(START).endsAt(END).limitPerUser(limit)
        .requireToken(token).build();
  }

  static PurchaseResult buy(SeckillEngine e, PurchaseRequest r) {
    return e.submit(r).join();
  }

  static Rejection refusal(SeckillEngine e, PurchaseRequest r) {
    PurchaseResult result = buy(e, r);
    assertThat(result.isConfirmed()).as("%s should be refused", r).isFalse();
    return result.rejection();
  }

  // ---------------------------------------------------------------- tokens

  @Test
  void tokensOnlyFromStartToEndAndEveryBadTokenIsRefused() {
    SeckillEngine e = engine("a", AdmissionSettings.builder().tokenSecret(SECRET)
        .tokenTtl(Duration.ofMinutes(2)).noThrottling().admissionCapFactor(0).build());
    e.registerSale(sale("phone", true, 1));
    e.registerSale(sale("tablet", true, 1));

    // Before the start: a scraped page gets nothing.
    assertThat(e.issueToken("phone", "alice").rejection()).isEqualTo(Rejection.NOT_STARTED);
    clock.set(START);
    TokenGrant grant = e.issueToken("phone", "alice");
    assertThat(grant.isGranted()).isTrue();
    assertThat(grant.expiresAt()).isEqualTo(START.plus(Duration.ofMinutes(2)));
    String token = grant.token();
    PurchaseRequest alice = PurchaseRequest.of("phone", "alice", 1);

    assertThat(refusal(e, alice)).as("missing").isEqualTo(Rejection.BAD_TOKEN);
    char[] flipped = token.toCharArray();
    flipped[token.length() / 2] ^= 1;
    assertThat(refusal(e, alice.withToken(new String(flipped)))).as("bit-flipped").isEqualTo(Rejection.BAD_TOKEN);
    assertThat(refusal(e, alice.withToken(token.substring(0, token.length() - 1)))).as("truncated")
        .isEqualTo(Rejection.BAD_TOKEN);
    assertThat(refusal(e, PurchaseRequest.of("phone", "bob", 1).withToken(token))).as("other user")
        .isEqualTo(Rejection.BAD_TOKEN);
    assertThat(refusal(e, PurchaseRequest.of("tablet", "alice", 1).withToken(token))).as("other sale")
        .isEqualTo(Rejection.BAD_TOKEN);
    SeckillEngine otherSecret = engine("other-secret", null); // random secret
    otherSecret.registerSale(sale("phone", true, 1));
    assertThat(refusal(otherSecret, alice.withToken(token))).as("wrong secret").isEqualTo(Rejection.BAD_TOKEN);

    // The right token buys once; replayed beyond the per-user limit, the ledger says so.
    assertThat(buy(e, alice.withToken(token)).isConfirmed()).isTrue();
    assertThat(refusal(e, alice.withToken(token))).as("replayed").isEqualTo(Rejection.LIMIT_REACHED);

    // Expired: bob's token outlives its TTL.
    String bobs = e.issueToken("phone", "bob").token();
    clock.advance(Duration.ofMinutes(2));
    assertThat(refusal(e, PurchaseRequest.of("phone", "bob", 1).withToken(bobs))).as("expired")
        .isEqualTo(Rejection.BAD_TOKEN);
    assertThat(buy(e, PurchaseRequest.of("phone", "bob", 1).withToken(e.issueToken("phone", "bob").token()))
        .isConfirmed()).isTrue();

    // After the end: no more tokens.
    clock.set(END);
    assertThat(e.issueToken("phone", "carol").rejection()).isEqualTo(Rejection.ENDED);

    SaleSnapshot s = e.snapshot("phone");
    assertThat(s.rejected(Rejection.BAD_TOKEN)).as("missing, flipped, truncated, other user, expired").isEqualTo(5);
    assertThat(s.rejected(Rejection.LIMIT_REACHED)).isEqualTo(1);
    assertThat(s.unitsSold()).isEqualTo(2);
  }

  @Test
  void aTokenFromOneNodeIsAcceptedByAnotherWithTheSameSecret() {
    SeckillEngine a = engine("node-a", AdmissionSettings.builder().tokenSecret(SECRET).build());
    SeckillEngine b = engine("node-b", AdmissionSettings.builder().tokenSecret(SECRET.clone()).build());
    a.registerSale(sale("phone", true, 1));
    b.registerSale(sale("phone", true, 1));
    clock.set(START);
    String token = a.issueToken("phone", "alice").token();
    assertThat(buy(b, PurchaseRequest.of("phone", "alice", 1).withToken(token)).isConfirmed()).isTrue();
  }

  @Test
  void otherTokenRefusals() {
    SeckillEngine e = engine("a", null);
    e.registerSale(Sale.builder("tiny").stock(1).startsAt(START).endsAt(END).limitPerUser(1).build());
    clock.set(START);
    assertThat(e.issueToken("nope", "alice").rejection()).isEqualTo(Rejection.UNKNOWN_SALE);
    assertThat(e.issueToken("tiny", " ").rejection()).isEqualTo(Rejection.INVALID_REQUEST);
    assertThat(e.issueToken(null, "alice").rejection()).isEqualTo(Rejection.INVALID_REQUEST);
    e.operations().blockUser("mallory");
    assertThat(e.issueToken("tiny", "mallory").rejection()).isEqualTo(Rejection.BLOCKED);
    // A sale without the requirement ignores tokens, present or not.
    assertThat(buy(e, PurchaseRequest.of("tiny", "alice", 1).withToken("garbage")).isConfirmed()).isTrue();
    assertThat(e.issueToken("tiny", "bob").rejection()).isEqualTo(Rejection.SOLD_OUT);
  }

  @Test
  void theTokenRequirementSurvivesARestart() {
    Path data = dir.resolve("restart");
    try (SeckillEngine e = SeckillEngine.builder().dataDir(data).clock(clock).maxUsersPerShard(1000)
        .outboxCapacityPerShard(1000).build()) {
      e.registerSale(sale("phone", true, 1));
    }
    try (SeckillEngine e = SeckillEngine.builder().dataDir(data).clock(clock).maxUsersPerShard(1000)
        .outboxCapacityPerShard(1000).build()) {
      assertThat(e.sales()).extracting(Sale::tokenRequired).containsExactly(true);
      e.registerSale(sale("phone", true, 1)); // same spec: a no-op
      assertThatThrownBy(() -> e.registerSale(sale("phone", false, 1)))
          .hasMessageContaining("tokenRequired true vs false");
    }
  }

  // ---------------------------------------------------------------- throttles and blocks

  @Test
  void aBurstFromOneUserIsThrottledThenBlockedThenForgiven() {
    SeckillEngine e = engine("a", AdmissionSettings.builder()
        .userThrottle(3, Duration.ofSeconds(1)).userBlocking(2, Duration.ofMinutes(1)).build());
    e.registerSale(sale("phone", false, 100));
    clock.set(START);
    PurchaseRequest click = PurchaseRequest.of("phone", "clicker", 1);
    for (int window = 0; window < 2; window++) {
      for (int i = 0; i < 3; i++) {
        assertThat(buy(e, click).isConfirmed()).isTrue();
      }
      assertThat(refusal(e, click)).isEqualTo(window == 0 ? Rejection.THROTTLED : Rejection.BLOCKED);
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(refusal(e, click)).isEqualTo(Rejection.BLOCKED);
    assertThat(e.operations().isUserBlocked("clicker")).isTrue();
    assertThat(buy(e, PurchaseRequest.of("phone", "patient", 1)).isConfirmed()).isTrue();
    clock.advance(Duration.ofMinutes(1));
    assertThat(e.operations().isUserBlocked("clicker")).isFalse();
    assertThat(buy(e, click).isConfirmed()).isTrue();

    SaleSnapshot s = e.snapshot("phone");
    assertThat(s.rejected(Rejection.THROTTLED)).isEqualTo(1);
    assertThat(s.rejected(Rejection.BLOCKED)).isEqualTo(2);
  }

  @Test
  void aBurstFromOneAddressIsThrottledThenBlockedThenForgiven() {
    SeckillEngine e = engine("a", AdmissionSettings.builder()
        .addressThrottle(10, Duration.ofSeconds(1)).addressBlocking(3, Duration.ofMinutes(5)).build());
    e.registerSale(sale("phone", false, 1));
    clock.set(START);
    String ip = "203.0.113.50";
    int user = 0;
    List<Rejection> overruns = new ArrayList<>();
    for (int window = 0; window < 3; window++) {
      for (int i = 0; i < 10; i++) {
        assertThat(buy(e, PurchaseRequest.of("phone", "bot-" + user++, 1).withClientAddress(ip))
            .isConfirmed()).isTrue();
      }
      overruns.add(refusal(e, PurchaseRequest.of("phone", "bot-" + user++, 1).withClientAddress(ip)));
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(overruns).containsExactly(Rejection.THROTTLED, Rejection.THROTTLED, Rejection.BLOCKED);
    assertThat(refusal(e, PurchaseRequest.of("phone", "fresh", 1).withClientAddress(ip)))
        .isEqualTo(Rejection.BLOCKED);
    assertThat(buy(e, PurchaseRequest.of("phone", "fresh", 1).withClientAddress("203.0.113.51"))
        .isConfirmed()).as("a neighbour is not punished").isTrue();
    assertThat(e.operations().isAddressBlocked(ip)).isTrue();
    clock.advance(Duration.ofMinutes(5));
    assertThat(e.operations().isAddressBlocked(ip)).isFalse();
    assertThat(buy(e, PurchaseRequest.of("phone", "fresh-2", 1).withClientAddress(ip)).isConfirmed()).isTrue();
  }

  @Test
  void manualBlocksWithAndWithoutDuration() {
    SeckillEngine e = engine("a", null);
    e.registerSale(sale("phone", false, 5));
    clock.set(START);
    e.operations().blockUser("mallory", Duration.ofMinutes(10));
    e.operations().blockAddress("198.51.100.1");
    assertThat(refusal(e, PurchaseRequest.of("phone", "mallory", 1))).isEqualTo(Rejection.BLOCKED);
    assertThat(refusal(e, PurchaseRequest.of("phone", "alice", 1).withClientAddress("198.51.100.1")))
        .isEqualTo(Rejection.BLOCKED);
    clock.advance(Duration.ofMinutes(10));
    assertThat(buy(e, PurchaseRequest.of("phone", "mallory", 1)).isConfirmed()).isTrue();
    clock.advance(Duration.ofDays(365));
    assertThat(e.operations().isAddressBlocked("198.51.100.1")).as("no duration: until unblocked").isTrue();
    clock.set(START.plusSeconds(1));
    assertThat(e.operations().unblockAddress("198.51.100.1")).isTrue();
    assertThat(buy(e, PurchaseRequest.of("phone", "alice", 1).withClientAddress("198.51.100.1"))
        .isConfirmed()).isTrue();
    assertThatThrownBy(() -> e.operations().blockUser("x", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("duration must be positive, was PT0S");
    assertThatThrownBy(() -> e.operations().blockAddress(" ")).hasMessage("address must not be blank, was \" \"");
  }

  @Test
  void withoutAdmissionSettingsNothingIsThrottled() {
    SeckillEngine e = engine("a", null);
    e.registerSale(Sale.builder("big").stock(1000).startsAt(START).endsAt(END).limitPerUser(1000)
        .maxPerRequest(1).build());
    clock.set(START);
    for (int i = 0; i < 500; i++) {
      assertThat(buy(e, PurchaseRequest.of("big", "one-user", 1).withClientAddress("192.0.2.9"))
          .isConfirmed()).isTrue();
    }
  }

  @Test
  void oversizedAddressesAndAnswersAreInvalid() {
    SeckillEngine e = engine("a", null);
    e.registerSale(sale("phone", false, 1));
    clock.set(START);
    PurchaseRequest r = PurchaseRequest.of("phone", "u", 1);
    assertThat(refusal(e, r.withClientAddress("x".repeat(65)))).isEqualTo(Rejection.INVALID_REQUEST);
    assertThat(refusal(e, r.withClientAddress(""))).isEqualTo(Rejection.INVALID_REQUEST);
    assertThat(refusal(e, r.withChallengeAnswer("x".repeat(1025)))).isEqualTo(Rejection.INVALID_REQUEST);
    assertThat(r.withClientAddress("x".repeat(65)).problem())
        .isEqualTo("clientAddress must be null or 1 to 64 characters, not blank, was 65 characters");
    assertThat(r.withToken("secret").withChallengeAnswer("42").toString())
        .doesNotContain("secret").doesNotContain("42").contains("token=<present>");
  }

  // ---------------------------------------------------------------- policy

  @Test
  void aPolicyDemandsAChallengeThenAcceptsTheSolvedOne() {
    SeckillEngine e = engine("a", AdmissionSettings.builder().policy((sale, request) ->
        "7 + 5 = 12".equals(request.challengeAnswer()) ? AdmissionDecision.ALLOW
            : request.userId().startsWith("zombie-") ? AdmissionDecision.DENY
            : AdmissionDecision.CHALLENGE).build());
    e.registerSale(sale("phone", false, 1));
    clock.set(START);
    PurchaseRequest r = PurchaseRequest.of("phone", "alice", 1);
    assertThat(refusal(e, r)).isEqualTo(Rejection.CHALLENGE_REQUIRED);
    assertThat(refusal(e, r.withChallengeAnswer("wrong"))).isEqualTo(Rejection.CHALLENGE_REQUIRED);
    assertThat(buy(e, r.withChallengeAnswer("7 + 5 = 12")).isConfirmed()).isTrue();
    assertThat(refusal(e, PurchaseRequest.of("phone", "zombie-1", 1))).isEqualTo(Rejection.DENIED);
    SaleSnapshot s = e.snapshot("phone");
    assertThat(s.rejected(Rejection.CHALLENGE_REQUIRED)).isEqualTo(2);
    assertThat(s.rejected(Rejection.DENIED)).isEqualTo(1);
  }

  @Test
  void aThrowingPolicyIsContainedAndTheEngineCarriesOn() {
    SeckillEngine e = engine("a", AdmissionSettings.builder().policy((sale, request) -> {
      if (request.userId().equals("boom")) {
        throw new IllegalStateException("risk service down");
      }
      return AdmissionDecision.ALLOW;
    }).build());
    e.registerSale(sale("phone", false, 1));
    clock.set(START);
    assertThat(refusal(e, PurchaseRequest.of("phone", "boom", 1))).isEqualTo(Rejection.POLICY_FAILED);
    List<Rejection> heard = new ArrayList<>();
    e.submit(PurchaseRequest.of("phone", "boom", 1), new PurchaseListener() {
      @Override
      public void onConfirmed(PurchaseRequest request, long orderId) {}

      @Override
      public void onRejected(PurchaseRequest request, Rejection reason) {
        heard.add(reason);
      }
    });
    assertThat(heard).containsExactly(Rejection.POLICY_FAILED);
    assertThat(buy(e, PurchaseRequest.of("phone", "fine", 1)).isConfirmed()).isTrue();
    assertThat(e.operations().admissionPolicyFailures()).isEqualTo(2);
    assertThat(e.snapshot("phone").rejected(Rejection.POLICY_FAILED)).isEqualTo(2);
  }

  // ---------------------------------------------------------------- time and view

  @Test
  void serverTimeAndSaleView() {
    SeckillEngine e = engine("a", null);
    e.registerSale(sale("phone", true, 1));
    assertThat(e.serverTime()).isEqualTo(START.minusSeconds(60));
    SaleView before = e.saleView("phone");
    assertThat(before.phase()).isEqualTo(SalePhase.UPCOMING);
    assertThat(before.isOpen()).isFalse();
    assertThat(before.untilStart()).isEqualTo(Duration.ofSeconds(60));
    assertThat(before.serverTime()).isEqualTo(START.minusSeconds(60));
    assertThat(before.tokenRequired()).isTrue();
    assertThat(before.remaining()).isEqualTo(100);
    clock.set(START);
    SaleView open = e.saleView("phone");
    assertThat(open.isOpen()).isTrue();
    assertThat(open.untilStart()).isZero();
    buy(e, PurchaseRequest.of("phone", "alice", 1).withToken(e.issueToken("phone", "alice").token()));
    assertThat(e.saleView("phone").remaining()).isEqualTo(99);
    clock.set(END);
    assertThat(e.saleView("phone").phase()).isEqualTo(SalePhase.ENDED);
    assertThatThrownBy(() -> e.saleView("nope")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no sale registered with id 'nope'");
  }

  @Test
  void snapshotCountsEveryReason() {
    SeckillEngine e = engine("a", null);
    e.registerSale(sale("phone", false, 1));
    SaleSnapshot s = e.snapshot("phone");
    assertThat(s.rejections().keySet()).containsExactlyInAnyOrder(Rejection.values());
  }

  @Test
  void admissionIsSetOnce() {
    assertThatThrownBy(() -> SeckillEngine.builder().admission(AdmissionSettings.defaults())
        .admission(AdmissionSettings.defaults()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("admission was already set to AdmissionSettings{");
  }
}
