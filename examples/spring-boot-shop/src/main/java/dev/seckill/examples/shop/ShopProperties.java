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
package dev.seckill.examples.shop;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The shop's settings, bound from {@code application.yml} under {@code shop.}: where the ledger
 * lives, the one sale the page sells, the orders table and whether buyers' addresses go to
 * admission. The engine itself is configured under {@code seckill.} (the starter). Immutable;
 * read on the main thread while the context starts.
 *
 * @param dataDir the directory holding the engine's ledger ({@code ledger/}) and, with the
 *     default H2 database, the database file ({@code h2/}); see {@link DataDirDefaults}
 * @param sale the sale to register at startup
 * @param admission whether the client's address goes to the engine's admission
 * @param table the orders table the JDBC sink writes and {@code GET /api/orders/{id}} reads
 * @param nodeName the name of this instance, when several serve one sale (cluster mode, see
 *     examples/cluster): sent as the {@code X-Shop-Node} header on every answer and as
 *     {@code node} in {@code GET /api/sales/{id}}, so a client sees which instance answered;
 *     unset: neither
 */
@ConfigurationProperties("shop")
public record ShopProperties(
    Path dataDir,
    @DefaultValue SaleSettings sale,
    @DefaultValue AdmissionLimits admission,
    @DefaultValue("seckill_order") String table,
    String nodeName) {

  /**
   * The sale. Its window is either absolute ({@code starts-at}, {@code ends-at}) or relative to
   * boot ({@code starts-in}, {@code duration}): the dev default starts a minute after boot so a
   * visitor sees the countdown.
   *
   * @param id the sale id
   * @param title the product name shown on the page
   * @param price the price shown on the page (display only)
   * @param stock units for sale
   * @param limitPerUser most units one user may buy
   * @param startsAt absolute start; wins over {@code startsIn}
   * @param startsIn start relative to boot, if {@code startsAt} is not set
   * @param endsAt absolute end; wins over {@code duration}
   * @param duration length of the window, if {@code endsAt} is not set
   * @param requireToken whether an order needs a token from {@code POST /api/sales/{id}/token}
   * @param payWithin if set (and not zero), a purchase is a reservation the buyer must pay
   *     within this long ({@code POST /api/orders/{id}/pay}); unpaid, its unit goes back on sale.
   *     Unset or {@code 0s}: a purchase is final
   */
  public record SaleSettings(
      @DefaultValue("phone-42") String id,
      @DefaultValue("Seckill Phone 42") String title,
      @DefaultValue("199.00 EUR") String price,
      @DefaultValue("100") long stock,
      @DefaultValue("1") int limitPerUser,
      Instant startsAt,
      @DefaultValue("1m") Duration startsIn,
      Instant endsAt,
      @DefaultValue("30m") Duration duration,
      @DefaultValue("true") boolean requireToken,
      Duration payWithin) {}


  /**
   * The shop's side of admission (the engine's throttles and tokens are {@code seckill.admission.*}).
   *
   * @param clientAddress whether to pass the client's address to the engine (per-address
   *     throttle and blocks); behind a proxy or CDN enable {@code server.forward-headers-strategy}
   *     first, or every buyer shares the proxy's address
   */
  public record AdmissionLimits(@DefaultValue("true") boolean clientAddress) {}
}
