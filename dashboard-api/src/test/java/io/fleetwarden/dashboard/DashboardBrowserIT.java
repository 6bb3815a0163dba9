package io.fleetwarden.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
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
 * see its status change; the fleet and device charts' scales and series read back from the page; the
 * incident view; the live queue; a walk through every page and navigation while pages are still loading.
 * After every test the browser console must hold no error (collected from Chromium's log) and the page's
 * error element must be empty. Screenshots go to {@code target/screenshots/}.
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
    static String globex;

    @BeforeAll
    static void start() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (KafkaProducer<String, byte[]> p = ApiHarness.producer(KAFKA.bootstrapServers())) {
            Alert a = Fixtures.alert("b-1", "acme", "cam-7", "FW-COMP-001", Severity.CRITICAL, now.minusSeconds(60));
            ApiHarness.send(p, Topics.ALERTS, a.getAlertId(), Codecs.ALERT.encode(a));
            // a cohort outage incident with two member device alerts folded under it
            Alert inc = Alert.newBuilder(Fixtures.alert("inc-1", "acme", null, "RES-OFF-001", Severity.HIGH, now.minusSeconds(300)))
                    .setCohortDimension("model").setCohortValue("plug-2").setSummary("12 of 20 plug-2 devices offline")
                    .setEvidence(Map.of("offline", "12", "cohortSize", "20")).build();
            ApiHarness.send(p, Topics.ALERTS, inc.getAlertId(), Codecs.ALERT.encode(inc));
            for (String dev : List.of("plug-1", "plug-2")) {
                Alert m = Alert.newBuilder(Fixtures.alert("m-" + dev, "acme", dev, "RES-OFF-001", Severity.MEDIUM, now.minusSeconds(290)))
                        .setParentAlertId("inc-1").build();
                ApiHarness.send(p, Topics.ALERTS, m.getAlertId(), Codecs.ALERT.encode(m));
            }
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
            // hostile/missing values: devices without a model or broker are not a cohort
            lines.append(StreamJobsPoints.cohort("acme", "model", "null", 3, t));
            lines.append(StreamJobsPoints.cohort("acme", "broker", "null", 3, t));
            if (m % 10 == 0) {
                lines.append(StreamJobsPoints.deviceHealth("acme", "cam-7", "cam-x1", "eu-west", "1.2.0", 20 + m % 7, 40,
                        1000, 500, 3, false, t));
            }
            lines.append(StreamJobsPoints.connectivity("acme", m % 3, m % 2, t));
            lines.append(StreamJobsPoints.alerts("acme", "CRITICAL", m % 4, m % 2, t));
            lines.append(StreamJobsPoints.firmware("acme", "cam-x1", "1.2.0", 50, t));
        }
        INFLUX.write(lines.toString());
        TokenStore tokens = ApiHarness.tokenStore();
        analyst = ApiHarness.token(tokens, Role.ANALYST, "acme");
        globex = ApiHarness.token(tokens, Role.ANALYST, "globex");
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
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingAnyFreePort().build(), options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
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

    /** Every console error so far (and clears the log). */
    static List<String> consoleErrors() {
        List<String> out = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    /** After every test: no console error, nothing in the page's error element. */
    @AfterEach
    void noScriptErrors() {
        assertThat(consoleErrors()).as("browser console errors").isEmpty();
        assertThat(driver.findElement(By.id("error")).getText()).as("page error element").isEmpty();
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** WCAG 2.0/2.1 A and AA violations axe-core finds on the page as it is now ("rule: target" each). */
    @SuppressWarnings("unchecked")
    static List<String> accessibilityViolations() throws IOException {
        if (!Boolean.TRUE.equals(js("return !!window.axe;"))) {
            try (var in = DashboardBrowserIT.class.getResourceAsStream("/axe/axe.min.js")) {
                assertThat(in).as("axe-core test resource").isNotNull();
                js(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        Object result = ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + " axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })"
                + ".then(r => done(r.violations.flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ')))), e => done(['axe failed: ' + e]));");
        return (List<String>) result;
    }

    static void awaitLoaded(String hash) {
        wait.until(d -> hash.equals(d.findElement(By.id("view")).getAttribute("data-loaded")));
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
        // the refused token's 401 is the one expected console entry
        assertThat(consoleErrors()).allMatch(m -> m.contains("/api/v1/me") && m.contains("401"));

        driver.findElement(By.id("token")).clear();
        driver.findElement(By.id("token")).sendKeys(analyst);
        driver.findElement(By.id("login")).click();
        By row = By.cssSelector("tr[data-alert-id='b-1']");
        driver.get(api.base() + "/#/alerts?group=flat");
        wait.until(ExpectedConditions.visibilityOfElementLocated(row));
        assertThat(driver.findElement(By.id("whoami")).getText()).contains("analyst");
        WebElement status = driver.findElement(row).findElement(By.cssSelector("td.status"));
        assertThat(status.getText()).isEqualTo("OPEN");
        screenshot("01-alert-queue");

        assertThat(driver.findElements(By.cssSelector("tr[data-alert-id='m-plug-1']"))).hasSize(1); // flat list
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
        for (String range : List.of("PT24H", "PT6H", "P7D")) {
            long hours = Map.of("PT24H", 24L, "PT6H", 6L, "P7D", 168L).get(range);
            driver.get(api.base() + "/#/fleet?range=" + range);
            awaitLoaded("#/fleet");
            long now = Instant.now().getEpochSecond();
            for (String chart : List.of("chart-online", "chart-connects", "chart-alerts")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> c = (Map<String, Object>) js("const c = document.getElementById(arguments[0]); const u = c.uplot;"
                        + " return { min: u.scales.x.min, max: u.scales.x.max, xs: Array.from(u.data[0]), labels: u.series.slice(1).map(s => s.label),"
                        + " dmin: Number(c.dataset.xMin), dmax: Number(c.dataset.xMax), text: c.textContent };", chart);
                double min = ((Number) c.get("min")).doubleValue();
                double max = ((Number) c.get("max")).doubleValue();
                // the scale is the selected window, in seconds, ending now
                assertThat(max - min).as(chart + " " + range).isCloseTo(hours * 3600.0, org.assertj.core.data.Offset.offset(1.0));
                assertThat(max).as(chart).isCloseTo((double) now, org.assertj.core.data.Offset.offset(120.0));
                assertThat(((Number) c.get("dmin")).doubleValue()).isEqualTo(min);
                assertThat(((Number) c.get("dmax")).doubleValue()).isEqualTo(max);
                @SuppressWarnings("unchecked")
                List<Number> xs = (List<Number>) c.get("xs");
                // the points span the two hours written, inside the window (not at its edge)
                assertThat(xs).isNotEmpty().allSatisfy(x -> assertThat(x.doubleValue()).isBetween(min, max));
                assertThat(xs.get(0).doubleValue()).isLessThan(now - 5400.0);
                assertThat(xs.get(xs.size() - 1).doubleValue()).isGreaterThan(now - 3600.0);
                @SuppressWarnings("unchecked")
                List<String> labels = (List<String>) c.get("labels");
                assertThat(labels).noneMatch(l -> l.contains("null")).allMatch(l -> !l.endsWith("="));
                if (chart.equals("chart-online")) {
                    assertThat(labels).containsExactlyInAnyOrder("acme model=cam-x1", "acme model=plug-2");
                }
            }
            screenshot("04-fleet-health-" + range);
        }
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
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) js("const u = document.getElementById('device-chart').uplot;"
                + " return { min: u.scales.x.min, max: u.scales.x.max, xs: Array.from(u.data[0]), labels: u.series.slice(1).map(s => s.label) };");
        double min = ((Number) c.get("min")).doubleValue();
        double max = ((Number) c.get("max")).doubleValue();
        com.fasterxml.jackson.databind.JsonNode health = api.get("/api/v1/devices/acme/cam-7", analyst).json().get("health");
        double window = Duration.between(Instant.parse(health.get("from").asText()), Instant.parse(health.get("to").asText())).toSeconds();
        assertThat(max - min).isCloseTo(window, org.assertj.core.data.Offset.offset(1.0));
        assertThat(max).isCloseTo(Instant.parse(health.get("to").asText()).getEpochSecond(), org.assertj.core.data.Offset.offset(60.0));
        assertThat(c.get("labels")).isEqualTo(List.of("cpu %", "memory %"));
        @SuppressWarnings("unchecked")
        List<Number> xs = (List<Number>) c.get("xs");
        assertThat(xs).hasSizeGreaterThanOrEqualTo(2).allSatisfy(x -> assertThat(x.doubleValue()).isBetween(min, max));
        driver.findElement(By.id("quarantine")).click();
        // a response action asks first: dismissing it does nothing
        driver.switchTo().alert().dismiss();
        assertThat(driver.findElement(By.id("control-state")).getText()).isEqualTo("normal");
        driver.findElement(By.id("quarantine")).click();
        driver.switchTo().alert().accept();
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

    @Test
    void a6_queueGroupsByIncidentAndTheIncidentViewTriagesItAsOne() throws IOException {
        driver.get(api.base() + "/#/alerts");
        awaitLoaded("#/alerts");
        WebElement incident = driver.findElement(By.cssSelector("tr[data-alert-id='inc-1']"));
        assertThat(incident.getText()).contains("Incident · 2 member alerts");
        // members are folded under their incident, not listed beside it
        assertThat(driver.findElements(By.cssSelector("tr[data-alert-id='m-plug-1']"))).isEmpty();
        assertThat(driver.findElement(By.id("alert-total")).getText()).startsWith("2 ");
        screenshot("10-queue-grouped");
        incident.findElement(By.cssSelector("a.incident-link")).click();
        awaitLoaded("#/incident/inc-1");
        assertThat(driver.findElement(By.id("incident-device-count")).getText()).isEqualTo("2");
        assertThat(driver.findElement(By.id("incident-devices")).getText()).contains("acme/plug-1").contains("acme/plug-2");
        assertThat(driver.findElements(By.cssSelector("#incident-members tbody tr"))).hasSize(2);
        assertThat(driver.findElements(By.cssSelector("#incident-timeline li"))).hasSizeGreaterThanOrEqualTo(3);
        assertThat(driver.findElement(By.id("incident-timeline")).getText()).contains("incident opened").contains("acme/plug-1");
        assertThat(driver.findElement(By.id("incident-evidence")).getText()).contains("cohortSize").contains("20");
        screenshot("11-incident");
        driver.findElement(By.id("incident-ack")).click();
        driver.switchTo().alert().accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("incident-result"), "3 alerts updated"));
        for (String id : List.of("inc-1", "m-plug-1", "m-plug-2")) {
            assertThat(api.get("/api/v1/alerts/" + id, analyst).json().get("status").asText()).as(id).isEqualTo("ACKNOWLEDGED");
        }
        assertThat(driver.findElement(By.id("incident-status")).getText()).isEqualTo("ACKNOWLEDGED");
        screenshot("12-incident-acknowledged");
    }

    @Test
    void a7_liveQueueShowsNewAlertsWithoutReloadAndNeverAnotherTenants() throws Exception {
        // a globex analyst's raw stream alongside (the hostile case: it must never carry acme's alert)
        List<String> globexLines = new CopyOnWriteArrayList<>();
        java.net.HttpURLConnection conn = (java.net.HttpURLConnection) java.net.URI.create(api.base() + "/api/v1/alert-events?for=PT1M")
                .toURL().openConnection();
        conn.setRequestProperty("Authorization", "Bearer " + globex);
        conn.setRequestProperty("Accept", "text/event-stream");
        Thread reader = new Thread(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(conn.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    globexLines.add(line);
                }
            } catch (IOException e) {
                globexLines.add("closed: " + e);
            }
        }, "globex-stream");
        reader.setDaemon(true);
        reader.start();
        driver.get(api.base() + "/#/alerts?group=flat");
        awaitLoaded("#/alerts");
        wait.until(ExpectedConditions.attributeToBe(By.id("live-state"), "data-state", "live"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> globexLines.stream().anyMatch(l -> l.startsWith("event:") && l.contains("hello")));
        js("window.fwNoReload = 'still here';");
        Instant now = Instant.now();
        try (KafkaProducer<String, byte[]> p = ApiHarness.producer(KAFKA.bootstrapServers())) {
            Alert acme = Fixtures.alert("live-acme", "acme", "cam-7", "NET-SCAN-001", Severity.HIGH, now);
            Alert other = Fixtures.alert("live-globex", "globex", "g-1", "NET-SCAN-001", Severity.HIGH, now);
            ApiHarness.send(p, Topics.ALERTS, acme.getAlertId(), Codecs.ALERT.encode(acme));
            ApiHarness.send(p, Topics.ALERTS, other.getAlertId(), Codecs.ALERT.encode(other));
        }
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("tr[data-alert-id='live-acme'].new")));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> globexLines.stream().anyMatch(l -> l.contains("live-globex")));
        assertThat(js("return window.fwNoReload;")).isEqualTo("still here");
        assertThat(driver.findElements(By.cssSelector("tr[data-alert-id='live-globex']"))).isEmpty();
        // a triage change arrives live too (made through the API, not the page)
        api.post("/api/v1/alerts/live-acme/acknowledge", analyst, Map.of());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("tr[data-alert-id='live-acme'] td.status"), "ACKNOWLEDGED"));
        screenshot("13-live-queue");
        assertThat(globexLines).noneMatch(l -> l.contains("live-acme") || l.contains("\"tenant\":\"acme\""));
        assertThat(conn.getResponseCode()).isEqualTo(200);
        conn.disconnect();
    }

    @Test
    void a8_walkThroughEveryPageAndNavigateWhilePagesAreLoading() throws IOException {
        List<String> pages = List.of("#/alerts", "#/alerts?group=flat", "#/alert/b-1", "#/incident/inc-1", "#/devices",
                "#/devices/acme/cam-7", "#/fleet", "#/firmware", "#/posture", "#/posture/model/cam-x1",
                "#/posture/device/acme/cam-7", "#/cra");
        for (String page : pages) {
            driver.get(api.base() + "/" + page);
            awaitLoaded(page.split("\\?")[0]);
            assertThat(driver.findElement(By.id("error")).getText()).as(page).isEmpty();
            assertThat(consoleErrors()).as(page).isEmpty();
            assertThat(accessibilityViolations()).as("axe-core on " + page).isEmpty();
            screenshot("walk-" + page.replaceAll("[^A-Za-z0-9]+", "-"));
        }
        // navigate on before each page has finished loading, many times over
        for (int round = 0; round < 5; round++) {
            js("document.getElementById('view').removeAttribute('data-loaded'); const hs = arguments[0]; let i = 0; const next = () => { location.hash = hs[i++]; if (i < hs.length) setTimeout(next, arguments[1]); }; next();",
                    List.of("#/firmware", "#/posture", "#/devices/acme/cam-7", "#/fleet", "#/cra", "#/incident/inc-1", "#/alerts"),
                    round * 15);
            awaitLoaded("#/alerts");
            assertThat(driver.findElements(By.cssSelector("#view > .page"))).hasSize(1);
            assertThat(driver.findElement(By.cssSelector("#view h2")).getText()).startsWith("Alert queue");
            assertThat(driver.findElement(By.id("error")).getText()).as("round " + round).isEmpty();
        }
        // the favicon is served (no 404 in the console)
        assertThat(api.get("/favicon.svg", null).status()).isEqualTo(200);
    }

    @Test
    void a9_tablesSortFilterAndPageInTheUrlWithTheKeyboardAndShowLocalTimesWithUtcOnHover() throws IOException {
        driver.get(api.base() + "/#/alerts?group=flat&severity=CRITICAL");
        awaitLoaded("#/alerts");
        // the filter came from the URL and is applied
        assertThat(new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("f-severity"))).getFirstSelectedOption()
                .getText()).isEqualTo("CRITICAL");
        assertThat(driver.findElements(By.cssSelector("#alert-table tbody tr"))).isNotEmpty()
                .allSatisfy(r -> assertThat(r.findElement(By.cssSelector("td.sev-CRITICAL")).getText()).isEqualTo("CRITICAL"));
        // filter with the keyboard only: type a rule and press Enter in the form; the URL keeps every filter
        WebElement rule = driver.findElement(By.id("f-rule"));
        rule.sendKeys("FW-COMP-001", org.openqa.selenium.Keys.ENTER);
        wait.until(d -> d.getCurrentUrl().contains("rule=FW-COMP-001"));
        awaitLoaded("#/alerts");
        assertThat(driver.getCurrentUrl()).contains("severity=CRITICAL").contains("group=flat");
        assertThat(driver.findElements(By.cssSelector("#alert-table tbody tr"))).extracting(r -> r.getAttribute("data-alert-id"))
                .containsExactly("b-1");
        // sort by a column from the keyboard: focus its header button and press Enter, then again
        driver.get(api.base() + "/#/alerts?group=flat");
        awaitLoaded("#/alerts");
        WebElement sevHeader = driver.findElements(By.cssSelector("#alert-table thead th")).get(1);
        sevHeader.findElement(By.tagName("button")).sendKeys(org.openqa.selenium.Keys.ENTER);
        assertThat(sevHeader.getAttribute("aria-sort")).isEqualTo("ascending");
        List<String> asc = driver.findElements(By.cssSelector("#alert-table tbody tr td:nth-child(2)")).stream().map(WebElement::getText).toList();
        sevHeader.findElement(By.tagName("button")).sendKeys(org.openqa.selenium.Keys.ENTER);
        assertThat(sevHeader.getAttribute("aria-sort")).isEqualTo("descending");
        List<String> desc = driver.findElements(By.cssSelector("#alert-table tbody tr td:nth-child(2)")).stream().map(WebElement::getText).toList();
        assertThat(asc.get(asc.size() - 1)).isEqualTo("CRITICAL");
        assertThat(desc.get(0)).isEqualTo("CRITICAL");
        // times: the viewer's zone shown, UTC on hover
        WebElement t = driver.findElement(By.cssSelector("#alert-table tbody time"));
        assertThat(t.getAttribute("title")).endsWith(" UTC");
        assertThat(Instant.parse(t.getAttribute("datetime"))).isBefore(Instant.now());
        // device list: search and paging state in the URL
        driver.get(api.base() + "/#/devices?q=cam-7");
        awaitLoaded("#/devices");
        assertThat(driver.findElement(By.id("device-q")).getAttribute("value")).isEqualTo("cam-7");
        assertThat(driver.findElement(By.id("device-table")).getText()).contains("acme/cam-7");
        assertThat(accessibilityViolations()).as("axe-core on the device list").isEmpty();
        screenshot("14-devices-filtered");
        // the linter does catch what it should: an unlabelled input added to the page
        js("const i = document.createElement('input'); i.id = 'axe-probe'; document.getElementById('view').appendChild(i);");
        assertThat(accessibilityViolations()).anyMatch(v -> v.startsWith("label") && v.contains("#axe-probe"));
        js("document.getElementById('axe-probe').remove();");
    }
}
