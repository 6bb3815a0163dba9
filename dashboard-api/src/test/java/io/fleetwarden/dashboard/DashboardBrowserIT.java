package io.fleetwarden.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.auth.TokenStore;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * The web dashboard in a real headless Chromium (Debian {@code chromium} + {@code chromium-driver})
 * against the real API, Kafka and InfluxDB: log in with a token, see an alert, acknowledge it and
 * see its status change; see the fleet charts render. Screenshots go to
 * {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class DashboardBrowserIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(List.of(ApiHarness.topics())).build();

    @RegisterExtension
    static final TestInflux INFLUX = new TestInflux();

    static final Path SHOTS = Path.of("target", "screenshots");
    static ApiHarness api;
    static WebDriver driver;
    static WebDriverWait wait;
    static String analyst;

    @BeforeAll
    static void start() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (KafkaProducer<String, byte[]> p = ApiHarness.producer(KAFKA.bootstrapServers())) {
            Alert a = Fixtures.alert("b-1", "acme", "cam-7", "FW-COMP-001", Severity.CRITICAL, now.minusSeconds(60));
            ApiHarness.send(p, Topics.ALERTS, a.getAlertId(), Codecs.ALERT.encode(a));
            ApiHarness.send(p, Topics.DEVICE_STATUS, "acme/cam-7", Codecs.DEVICE_STATUS.encode(
                    Fixtures.device("acme", "cam-7", "cam-x1", "1.2.0", now)));
            // posture evidence: a connection and a report with telnet open
            ApiHarness.send(p, Topics.SECURITY_EVENTS, "acme/cam-7", Codecs.SECURITY_EVENT.encode(Fixtures.securityEvent(
                    io.fleetwarden.model.SecurityEventType.CONNECT, "connected", "acme", "cam-7", now.minusSeconds(120)).build()));
            ApiHarness.send(p, Topics.TELEMETRY, "acme/cam-7", Codecs.TELEMETRY.encode(Fixtures.telemetry("acme", "cam-7",
                    "cam-x1", "1.2.0", now.minusSeconds(30)).setListeningPorts(List.of(80, 23)).build()));
        }
        StringBuilder lines = new StringBuilder();
        for (int m = 0; m < 120; m++) {
            long t = now.minus(120 - m, ChronoUnit.MINUTES).toEpochMilli();
            for (String model : List.of("cam-x1", "plug-2")) {
                lines.append(StreamJobsPoints.cohort("acme", "model", model, 50 + m % 10, t));
            }
            lines.append(StreamJobsPoints.connectivity("acme", m % 3, m % 2, t));
            lines.append(StreamJobsPoints.alerts("acme", "CRITICAL", m % 4, m % 2, t));
            lines.append(StreamJobsPoints.firmware("acme", "cam-x1", "1.2.0", 50, t));
        }
        INFLUX.write(lines.toString());
        TokenStore tokens = ApiHarness.tokenStore();
        analyst = ApiHarness.token(tokens, Role.ANALYST, "acme");
        String admin = ApiHarness.platformAdmin(tokens); // catalog and advisories are platform-scoped
        api = new ApiHarness(KAFKA.bootstrapServers(), INFLUX.url(), tokens).awaitReady();
        api.send("PUT", "/api/v1/firmware/catalog/cam-x1", admin, java.util.Map.of("model", "cam-x1", "vendor", "Acme",
                "latestVersion", "1.3.0", "releases", List.of()), java.util.Map.of());
        api.post("/api/v1/advisories", admin, java.util.Map.of("advisoryId", "FWSA-2026-0042", "model", "cam-x1",
                "affectedVersions", "[1.0.0,1.3.0)", "fixedVersion", "1.3.0", "severity", "high",
                "title", "<img src=x onerror=alert(1)> in the web UI"));

        System.setProperty("webdriver.chrome.driver", System.getProperty("chromedriver", "/usr/bin/chromedriver"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("chromium", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,1000");
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingAnyFreePort().build(), options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (api != null) {
            api.close();
        }
    }

    static void screenshot(String name) throws IOException {
        Path f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(f, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void a1_loginSeeAnAlertAcknowledgeItAndSeeTheStatusChange() throws IOException {
        driver.get(api.base() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        driver.findElement(By.id("token")).sendKeys("fwt_wrong");
        driver.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "refused"));

        driver.findElement(By.id("token")).clear();
        driver.findElement(By.id("token")).sendKeys(analyst);
        driver.findElement(By.id("login")).click();
        By row = By.cssSelector("tr[data-alert-id='b-1']");
        wait.until(ExpectedConditions.visibilityOfElementLocated(row));
        assertThat(driver.findElement(By.id("whoami")).getText()).contains("analyst");
        WebElement status = driver.findElement(row).findElement(By.cssSelector("td.status"));
        assertThat(status.getText()).isEqualTo("OPEN");
        screenshot("01-alert-queue");

        driver.findElement(row).findElement(By.cssSelector("button.ack")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("tr[data-alert-id='b-1'] td.status"),
                "ACKNOWLEDGED"));
        screenshot("02-alert-acknowledged");
        // the API agrees
        assertThat(api.get("/api/v1/alerts/b-1", analyst).json().get("status").asText()).isEqualTo("ACKNOWLEDGED");

        driver.findElement(By.cssSelector("tr[data-alert-id='b-1'] a[href^='#/alert/']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history"), "acknowledge"));
        assertThat(driver.findElement(By.id("history")).getText()).contains("token:analyst-acme");
        screenshot("03-alert-detail");
    }

    @Test
    void a2_fleetChartsRender() throws IOException {
        driver.findElement(By.id("nav-fleet")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-online canvas")));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-alerts canvas")));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-connects canvas")));
        assertThat(driver.findElement(By.id("chart-online")).getText()).contains("model=cam-x1").contains("model=plug-2");
        assertThat(driver.findElement(By.id("chart-alerts")).getText()).contains("CRITICAL open");
        // 50 devices on 1.2.0 comes from fleet_firmware (device status alone would say 1)
        assertThat(driver.findElement(By.id("firmware-distribution")).getText()).contains("cam-x1").contains("1.2.0")
                .contains("50");
        screenshot("04-fleet-health");
    }

    @Test
    void a25_firmwareAndAdvisoriesWithAffectedDevicesAndNoMarkupInjection() throws IOException {
        driver.findElement(By.id("nav-firmware")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("advisories"), "FWSA-2026-0042"));
        assertThat(driver.findElement(By.id("catalog")).getText()).contains("cam-x1").contains("1.3.0");
        // the title is shown as text, not parsed as markup
        assertThat(driver.findElement(By.id("advisories")).getText()).contains("<img src=x onerror=alert(1)>");
        assertThat(driver.findElements(By.cssSelector("#advisories img"))).isEmpty();
        driver.findElement(By.cssSelector("#advisories button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("advisories"), "acme/cam-7"));
        screenshot("045-firmware-advisories");
    }

    @Test
    void a3_deviceAndPosturePages() throws IOException {
        driver.get(api.base() + "/#/devices/acme/cam-7");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("control-state")));
        assertThat(driver.findElement(By.id("control-state")).getText()).isEqualTo("normal");
        driver.findElement(By.id("quarantine")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("control-state"), "quarantined"));
        assertThat(driver.findElements(By.cssSelector("#device-posture tr"))).hasSize(14);
        screenshot("05-device");
        driver.findElement(By.id("nav-posture")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("fleet-posture")));
        assertThat(driver.findElements(By.cssSelector("#fleet-posture tr"))).hasSize(14);
        screenshot("06-posture");
    }

    @Test
    void a4_postureDrillDownFromFleetToModelToDeviceToEvidence() throws IOException {
        driver.get(api.base() + "/#/posture");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("psti")));
        assertThat(driver.findElements(By.cssSelector("#psti tr"))).hasSize(4);
        driver.findElement(By.cssSelector("#fleet-posture a.model-link")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("model-posture")));
        assertThat(driver.findElement(By.cssSelector("#view h2")).getText()).isEqualTo("Posture of model cam-x1");
        // guideline 6 fails for cam-7 (telnet): its row links the device
        WebElement g6 = driver.findElements(By.cssSelector("#model-posture tr")).get(6);
        assertThat(g6.getText()).contains("acme/cam-7");
        screenshot("07-posture-model");
        g6.findElement(By.cssSelector("a.device-link")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("device-standings")));
        List<WebElement> rows = driver.findElements(By.cssSelector("#device-standings tr"));
        assertThat(rows).hasSize(14);
        assertThat(rows.get(6).getText()).contains("NOT_MET").contains("known-insecure ports [23]")
                .contains("fleet.telemetry[");
        assertThat(rows.get(1).getText()).contains("NOT_MET").contains("alert b-1"); // FW-COMP-001 names guideline 1
        assertThat(rows.get(10).getText()).contains("MET").contains("1 telemetry reports received");
        assertThat(rows.get(4).getText()).contains("NOT_ASSESSED").contains("cannot be observed");
        screenshot("08-posture-device-evidence");
    }

    @Test
    void a5_craCaseWithDeadlines() throws IOException {
        // opening a case is platform-scoped (the platform SOC); the acme analyst sees acme's part of it
        String admin = api.tokens.create("platform-soc", Role.ANALYST, java.util.Set.of(), true, "test").secret();
        assertThat(api.post("/api/v1/advisories/FWSA-2026-0042/exploited", admin, java.util.Map.of("note", "browser"))
                .status()).isEqualTo(201);
        driver.get(api.base() + "/#/cra");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("cra-cases")));
        List<WebElement> rows = driver.findElements(By.cssSelector("#cra-cases tr"));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).getText()).contains("CRA-FWSA-2026-0042").contains("after the fix").contains("acme: 1");
        screenshot("09-cra-cases");
    }
}
