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

import dev.seckill.SaleSnapshot;
import dev.seckill.SeckillEngine;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
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
 * Reservations on the product page, in headless Chromium: Alice buys the only unit and sees
 * "Pay within mm:ss"; Bob finds every unit reserved; Alice does not pay, the server's clock moves
 * past her deadline, the engine's own tick expires her reservation and Bob's page (polling as
 * usual) turns the button on again; Bob buys, pays, and his page says so; Alice, coming back,
 * sees her reservation expired. Waits on the page's DOM, never on a sleep. Skipped without the
 * browser, as {@link ShopBrowserTest}.
 */
@Tag("slow")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "shop.sale.id=resv-ui",
    "shop.sale.title=Seckill Phone 42",
    "shop.sale.stock=1",
    "shop.sale.limit-per-user=1",
    "shop.sale.starts-in=1h",
    "shop.sale.duration=1h",
    "shop.sale.pay-within=2m",
})
@Import(TestClockConfig.class)
@DirtiesContext
class ShopReservationBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @DynamicPropertySource
  static void dataDir(DynamicPropertyRegistry registry) {
    registry.add("shop.data-dir", () -> TestDirs.fresh("resv-ui").toString());
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

  @AfterEach
  void quit() {
    if (driver != null) {
      driver.quit();
    }
  }

  @Test
  void buyThenExpireThenAnotherBuyerGetsTheUnitAndPays() throws IOException {
    Instant startsAt = engine.saleView("resv-ui").startsAt();
    clock.set(startsAt.plusSeconds(1));
    driver = ShopBrowserTest.startChromium();
    WebDriverWait wait = new WebDriverWait(driver, WAIT);

    // Alice buys the only unit: a reservation with its countdown, Pay and Cancel.
    driver.get(base() + "/?user=alice");
    wait.until(d -> buy(d).isEnabled());
    buy(driver).click();
    wait.until(d -> text(d, "result").contains("reserved"));
    wait.until(d -> text(d, "payby").matches("Pay within 0[12]:\\d\\d"));
    assertThat(driver.findElement(By.id("pay")).isDisplayed()).isTrue();
    assertThat(driver.findElement(By.id("cancel")).isDisplayed()).isTrue();
    ShopBrowserTest.screenshot(driver, "shop-reserved");

    // Bob: nothing free, but not "sold out": the unit is only held.
    driver.get(base() + "/?user=bob");
    wait.until(d -> "ALL_HELD".equals(phase(d)));
    assertThat(buy(driver).isEnabled()).isFalse();
    assertThat(buy(driver).getText()).isEqualTo("All reserved");
    assertThat(text(driver, "stock")).contains("1 reserved");

    // Alice does not pay. Past her deadline the engine's tick gives the unit back, and Bob's page
    // (polling the sale every ~2 s) offers it again.
    clock.set(clock.instant().plus(Duration.ofMinutes(2)).plusSeconds(1));
    wait.until(d -> buy(d).isEnabled());
    assertThat(buy(driver).getText()).isEqualTo("Buy now");
    buy(driver).click();
    wait.until(d -> text(d, "result").contains("reserved"));
    driver.findElement(By.id("pay")).click();
    wait.until(d -> text(d, "payby").startsWith("Paid - order #"));
    assertThat(driver.findElement(By.id("reservation")).getDomAttribute("data-state"))
        .isEqualTo("PAID");
    assertThat(driver.findElement(By.id("pay")).isDisplayed()).isFalse();
    ShopBrowserTest.screenshot(driver, "shop-paid");

    // Alice comes back: her reservation expired.
    driver.get(base() + "/?user=alice");
    wait.until(d -> text(d, "payby").startsWith("Reservation expired"));
    assertThat(driver.findElement(By.id("pay")).isDisplayed()).isFalse();

    SaleSnapshot s = engine.snapshot("resv-ui");
    assertThat(s.paid()).isEqualTo(1);
    assertThat(s.held()).isZero();
    assertThat(s.remaining()).isZero();
  }

  private String base() {
    return "http://127.0.0.1:" + port;
  }

  private static org.openqa.selenium.WebElement buy(WebDriver d) {
    return d.findElement(By.id("buy"));
  }

  private static String phase(WebDriver d) {
    return d.findElement(By.tagName("body")).getDomAttribute("data-phase");
  }

  private static String text(WebDriver d, String id) {
    return d.findElement(By.id(id)).getText();
  }
}
