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
package dev.seckill.spi;

import dev.seckill.PurchaseRequest;
import dev.seckill.Sale;

/**
 * The application's risk hook: decides whether one purchase request may proceed, the place for
 * account checks the engine cannot know (zombie or new accounts, risk scores, captcha).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>When.</b> Called on the submitting thread, after the engine's own early checks (sale
 *       window, sold out, blocklist, throttles, token) have passed and before the admission cap
 *       and the ring. Requests refused earlier never reach the policy.
 *   <li><b>Threads.</b> Called concurrently from every submitting thread: implementations must
 *       be thread-safe. A slow policy slows only its caller; it never holds a ring slot or the
 *       ledger writer. Keep it fast anyway: it runs for every admitted attempt.
 *   <li><b>Answer.</b> {@link AdmissionDecision#ALLOW}, {@link AdmissionDecision#DENY} or
 *       {@link AdmissionDecision#CHALLENGE}. A challenge round trip: answer {@code CHALLENGE}
 *       while {@link PurchaseRequest#challengeAnswer()} is absent or wrong; the web layer shows a
 *       captcha and resubmits with the solved answer; verify it and answer {@code ALLOW}.
 *   <li><b>Failure.</b> The policy is assumed not to throw. If it throws, or returns null, the
 *       engine contains it: that request is refused with {@code Rejection.POLICY_FAILED}, the
 *       failure is counted and logged (the 1st, 2nd, 4th, 8th... time, never once per request),
 *       and the engine carries on.
 * </ul>
 */
@FunctionalInterface
public interface AdmissionPolicy {

  /**
   * Decides whether {@code request} for {@code sale} may proceed.
   *
   * @param sale the registered sale the request is for
   * @param request the request, already well-formed and within the sale's window
   * @return the decision; never null
   */
  AdmissionDecision admit(Sale sale, PurchaseRequest request);

  /**
   * A policy that admits everything; the default. The engine skips calling it.
   *
   * @return the shared allow-all policy (a singleton, never null); every call returns the same
   *     instance, which is how the engine recognises it
   */
  static AdmissionPolicy allowAll() {
    return AllowAll.INSTANCE;
  }
}

/** The default policy; a singleton so the engine can recognise and skip it. */
enum AllowAll implements AdmissionPolicy {
  INSTANCE;

  @Override
  public AdmissionDecision admit(Sale sale, PurchaseRequest request) {
    return AdmissionDecision.ALLOW;
  }
}
