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

/**
 * The answer of an {@link AdmissionPolicy} for one purchase request. An enum, so answering
 * allocates nothing.
 *
 * <p>Threads: immutable, safe anywhere.
 */
public enum AdmissionDecision {
  /** Let the request go on to the admission cap and the ledger. */
  ALLOW,
  /**
   * Refuse the request: the engine answers {@code Rejection.DENIED}. For accounts the application
   * does not trust (zombie accounts, a failed risk score, a failed challenge answer).
   */
  DENY,
  /**
   * Refuse the request until the buyer proves to be a person: the engine answers
   * {@code Rejection.CHALLENGE_REQUIRED}, the web layer shows a challenge (a captcha) and
   * resubmits the request with the solved answer in {@code PurchaseRequest.challengeAnswer()},
   * which the policy then verifies.
   */
  CHALLENGE
}
