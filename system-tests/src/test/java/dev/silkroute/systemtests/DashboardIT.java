package dev.silkroute.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The operators' dashboard in a real headless Chromium against a stack that served real requests:
 * the figures it shows are the ledger's, and its screenshot goes to docs/dashboard.png.
 */
class DashboardIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private static LiveStack stack;
  private static WebDriver browser;

  @BeforeAll
  static void startStackAndBrowser() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "Debian's chromium and chromium-driver are not installed (" + CHROMIUM + ", " + CHROMEDRIVER
            + "): apt-get install -y chromium chromium-driver");
    stack = LiveStack.start("dashboard");
    stack.serveTraffic();

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1440,1500");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void showsTheLedgersFiguresAndProviderHealth() throws Exception {
    browser.get(stack.billing.uri("/dashboard").toString());
    browser.findElement(By.id("token")).sendKeys(LiveStack.ADMIN_TOKEN);
    WebElement routerUrl = browser.findElement(By.id("router-url"));
    routerUrl.clear();
    routerUrl.sendKeys(stack.router.uri("").toString());
    browser.findElement(By.id("connect")).click();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(browser.findElement(By.id("board")).isDisplayed()).isTrue();
      assertThat(browser.findElement(By.id("login")).isDisplayed()).isFalse();
    });
    List<LiveStack.Customer> customers = stack.customers();
    long tokens = 0;
    for (LiveStack.Customer customer : customers) {
      JsonNode account = stack.admin("GET", "/admin/customers/" + customer.id(), null);
      long spent = account.get("spent_micros").asLong();
      assertThat(spent).as("ledger spend of " + customer.name()).isPositive();
      tokens += account.get("prompt_tokens").asLong() + account.get("completion_tokens").asLong();
      // Spend over 30 days (the daily aggregates) equals the account's spend (the ledger).
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        WebElement row = browser.findElement(By.cssSelector("tr[data-customer='" + customer.id() + "']"));
        assertThat(row.getText()).contains(customer.name());
        assertThat(row.findElement(By.cssSelector(".spend-30d")).getText()).isEqualTo(usd(spent));
        assertThat(row.findElement(By.cssSelector(".spend-all")).getText()).isEqualTo(usd(spent));
      });
    }

    // Every token billed today, whichever way it is split.
    String tokensShown = "Total " + String.format(Locale.US, "%,d", tokens) + " tokens";
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (String by : List.of("author", "model", "provider")) {
        assertThat(browser.findElement(By.id("share-" + by)).getText()).as("share by " + by).startsWith(tokensShown);
      }
      assertThat(browser.findElements(By.cssSelector("#share-provider .row[data-key='silkroute']")))
          .as("the self-hosted workers' share").hasSize(1);
    });

    browser.findElement(By.cssSelector("#windows button[data-window='7d']")).click();
    browser.findElement(By.cssSelector("#metrics button[data-metric='spend']")).click();
    long spend = 0;
    for (LiveStack.Customer customer : customers) {
      spend += stack.admin("GET", "/admin/customers/" + customer.id(), null).get("spent_micros").asLong();
    }
    String spendShown = "Total " + usd(spend);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(browser.findElement(By.id("share-model")).getText()).startsWith(spendShown));

    // Provider health and worker load come from the router, another origin.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(browser.findElements(By.cssSelector("#health-table tr[data-endpoint]"))).hasSizeGreaterThanOrEqualTo(5);
      assertThat(browser.findElement(By.cssSelector("#health-table tbody")).getText()).doesNotContain("NaN");
      assertThat(browser.findElement(By.cssSelector("#health-table")).getText()).contains("closed");
      assertThat(browser.findElements(By.cssSelector("#worker-table tr[data-worker]"))).hasSize(1);
      assertThat(browser.findElement(By.id("health-error")).getText()).isEmpty();
    });

    browser.findElement(By.cssSelector("#metrics button[data-metric='tokens']")).click();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(browser.findElement(By.id("share-author")).getText()).startsWith(tokensShown));
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(Path.of("target", "dashboard.png"), png);
    Path docs = Path.of(System.getProperty("silkroute.docs.dir", "target"));
    Files.createDirectories(docs);
    Files.write(docs.resolve("dashboard.png"), png);
  }

  @Test
  void asksForTheTokenAgainWhenItIsRefused() {
    browser.get(stack.billing.uri("/dashboard").toString());
    ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
    browser.navigate().refresh();
    browser.findElement(By.id("token")).sendKeys("not-the-token");
    browser.findElement(By.id("connect")).click();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(browser.findElement(By.id("login")).isDisplayed()).isTrue();
      assertThat(browser.findElement(By.id("board")).isDisplayed()).isFalse();
      assertThat(browser.findElement(By.id("login-error")).getText()).contains("refused");
    });
  }

  /** As the page formats micro-USD: exact, thousands separated. */
  private static String usd(long micros) {
    return String.format(Locale.US, "$%,d.%06d", micros / 1_000_000, micros % 1_000_000);
  }
}
