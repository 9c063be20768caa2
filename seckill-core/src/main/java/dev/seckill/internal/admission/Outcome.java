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
package dev.seckill.internal.admission;

/**
 * What the admission checks decided for one request, before the engine maps it to a public
 * {@code Rejection}. Internal so the checks stay independent of the public enum's growth.
 *
 * <p>Threads: an immutable enum, safe anywhere.
 */
public enum Outcome {
  /** Every check passed; the request may go on to the admission cap and the ring. */
  PASS,
  /** The user or the client address is on the blocklist (manual or automatic). */
  BLOCKED,
  /** The user or the client address made more attempts than its window allows. */
  THROTTLED,
  /** The sale requires a token and the request's token is missing, malformed, expired or forged. */
  BAD_TOKEN,
  /** The admission policy wants a solved challenge (captcha) before it admits the request. */
  CHALLENGE_REQUIRED,
  /** The admission policy refused the request. */
  DENIED,
  /** The admission policy threw or returned null; the request is refused, the engine goes on. */
  POLICY_FAILED
}
