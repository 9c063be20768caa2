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

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.PurchaseRequest;
import dev.seckill.PurchaseResult;
import dev.seckill.SeckillEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The operator page in headless Chromium during a load run: it shows a nonzero decision rate
 * while buyers arrive, then the sold-out moment.
 */
@Tag("slow")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "shop.sale.id=ops-sale",
    "shop.sale.stock=3000",
    "shop.sale.limit-per-user=1",
    "shop.sale.starts-in=1h",
    "shop.sale.duration=10m",
    "shop.sale.require-token=false",
})
@Import(TestClockConfig.class)
@DirtiesContext
class OpsPageBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @DynamicPropertySource
  static void dataDir(DynamicPropertyRegistry registry) {
    registry.add("shop.data-dir", () -> TestDirs.fresh("ops").toString());
  }

  @BeforeAll
  static void browserPresent() {
    ShopBrowserTest.browserPresent();
  }

  @LocalServerPort
  int port;
  @Autowired
  TestClock clock;
  @Autowired
  SeckillEngine engine;

  private ChromeDriver driver;
  private int nextBuyer;

  @AfterEach
  void quit() {
    if (driver != null) {
      driver.quit();
    }
  }

  @Test
  void showsTheRateDuringALoadRunAndTheSoldOutMoment() throws IOException {
    driver = ShopBrowserTest.startChromium();
    WebDriverWait wait = new WebDriverWait(driver, WAIT);
    driver.get("http://127.0.0.1:" + port + "/ops.html");
    wait.until(d -> "UP".equals(text(d, "health")));
    assertThat(text(driver, "soldout")).isEqualTo("–");
    assertThat(driver.findElements(By.cssSelector("#rates-chart canvas"))).isNotEmpty();

    clock.set(engine.saleView("ops-sale").startsAt());
    // Buyers keep arriving, a batch at each look at the page, until it shows a rate.
    wait.until(d -> {
      buy(50);
      return Long.parseLong(text(d, "rate")) > 0 && Long.parseLong(text(d, "confirmed-rate")) > 0;
    });
    assertThat(engine.snapshot("ops-sale").remaining()).isPositive();

    while (engine.snapshot("ops-sale").remaining() > 0) {
      buy(500);
    }
    wait.until(d -> text(d, "soldout").startsWith("SOLD OUT at "));
    assertThat(driver.findElement(By.id("sales")).getText()).contains("ops-sale", "SOLD_OUT");
    driver.manage().window().setSize(new Dimension(1200, 1150)); // both charts in the picture
    ShopBrowserTest.screenshot(driver, "shop-operator-page");
  }

  /** {@code n} new buyers, one unit each, straight to the engine; waits for the decisions. */
  private void buy(int n) {
    List<CompletableFuture<PurchaseResult>> decided = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      decided.add(engine.submit(PurchaseRequest.of("ops-sale", "buyer-" + nextBuyer++, 1)));
    }
    decided.forEach(CompletableFuture::join);
  }

  private static String text(WebDriver d, String id) {
    return d.findElement(By.id(id)).getText();
  }
}
