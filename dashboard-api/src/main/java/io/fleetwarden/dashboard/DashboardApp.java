package io.fleetwarden.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.alert.AlertHandler;
import io.fleetwarden.dashboard.alert.AlertStream;
import io.fleetwarden.dashboard.alert.AlertService;
import io.fleetwarden.dashboard.alert.AlertStore;
import io.fleetwarden.dashboard.alert.ExportHandler;
import io.fleetwarden.dashboard.alert.WebhookDispatcher;
import io.fleetwarden.dashboard.audit.AuditEntry;
import io.fleetwarden.dashboard.audit.AuditDetail;
import io.fleetwarden.dashboard.audit.AuditHandler;
import io.fleetwarden.dashboard.audit.AuditLog;
import io.fleetwarden.dashboard.audit.AuditStore;
import io.fleetwarden.dashboard.auth.Authenticator;
import io.fleetwarden.dashboard.auth.JwtAuthenticator;
import io.fleetwarden.dashboard.auth.TokenHandler;
import io.fleetwarden.dashboard.auth.TokenStore;
import io.fleetwarden.dashboard.cra.CraCaseStore;
import io.fleetwarden.dashboard.cra.CraHandler;
import io.fleetwarden.dashboard.cra.CraService;
import io.fleetwarden.dashboard.device.AutoQuarantinePolicy;
import io.fleetwarden.dashboard.device.CertificateRevocations;
import io.fleetwarden.dashboard.device.ErasureStore;
import io.fleetwarden.dashboard.device.DecommissionService;
import io.fleetwarden.dashboard.device.DeviceHandler;
import io.fleetwarden.dashboard.device.DeviceService;
import io.fleetwarden.dashboard.device.DeviceStore;
import io.fleetwarden.dashboard.disclosure.DisclosureHandler;
import io.fleetwarden.dashboard.disclosure.ReportStore;
import io.fleetwarden.dashboard.firmware.CatalogStore;
import io.fleetwarden.dashboard.firmware.FirmwareHandler;
import io.fleetwarden.dashboard.firmware.FirmwareService;
import io.fleetwarden.dashboard.fleet.FleetHandler;
import io.fleetwarden.dashboard.fleet.HealthSeries;
import io.fleetwarden.dashboard.kafka.OwnTopics;
import io.fleetwarden.dashboard.kafka.RecordPublisher;
import io.fleetwarden.dashboard.kafka.TopicMaterializer;
import io.fleetwarden.dashboard.posture.PostureHandler;
import io.fleetwarden.dashboard.registry.JitRequests;
import io.fleetwarden.dashboard.registry.RegistryHandler;
import io.fleetwarden.dashboard.registry.RegistryService;
import io.fleetwarden.dashboard.registry.RegistryStore;
import io.fleetwarden.dashboard.posture.Evidence;
import io.fleetwarden.dashboard.posture.EvidenceStore;
import io.fleetwarden.dashboard.posture.IcsExport;
import io.fleetwarden.dashboard.posture.PostureErasure;
import io.fleetwarden.dashboard.posture.PostureHistory;
import io.fleetwarden.dashboard.posture.PostureService;
import io.fleetwarden.dashboard.posture.PstiStatement;
import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Json;
import io.fleetwarden.dashboard.web.Metrics;
import io.fleetwarden.dashboard.web.OpenApi;
import io.fleetwarden.dashboard.web.Problems;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.model.rules.RuleCatalog;
import io.fleetwarden.dashboard.web.Routes;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.firmware.FirmwareCurrency;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;

/**
 * The app factory: builds the whole dashboard API (stores, services, handlers, routes, the
 * Javalin server) from its dependencies. No static mutable state: two instances in one JVM are
 * independent, which the tests rely on.
 */
public final class DashboardApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardApp.class);
    static final String VERSION = "0.1.0";

    /**
     * What the app needs from outside. {@code materializer} may be null in tests that feed the
     * stores directly; {@code jwt} is null when OIDC is not configured.
     */
    public record Dependencies(DashboardConfig config, Clock clock, RecordPublisher publisher,
                               TopicMaterializer materializer, HealthSeries health, TokenStore tokens,
                               JwtAuthenticator jwt, ReportStore reports) {
    }

    private final Dependencies deps;
    private final AlertStore alertStore = new AlertStore();
    private final DeviceStore deviceStore = new DeviceStore();
    private final CatalogStore catalogStore = new CatalogStore();
    private final EvidenceStore evidenceStore = new EvidenceStore();
    private final AuditStore auditStore = new AuditStore();
    private final ErasureStore erasures = new ErasureStore();
    private final RegistryStore registryStore = new RegistryStore();
    private final Metrics metrics = new Metrics();
    private final ObjectMapper mapper = Json.mapper();
    private final List<Route> routes = new ArrayList<>();
    private final WebhookDispatcher webhooks;
    private final AutoQuarantinePolicy autoQuarantine;
    private final Javalin javalin;
    private final CraService cra;
    private final AlertStream alertStream;
    private final PostureHistory postureHistory;
    private final java.util.concurrent.ScheduledExecutorService craTimer;
    private final JitRequests jitRequests;

    private DashboardApp(Dependencies deps, CraCaseStore craCases) {
        this.deps = deps;
        this.craTimer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cra-deadlines");
            t.setDaemon(true);
            return t;
        });
        DashboardConfig cfg = deps.config();
        Clock clock = deps.clock();
        PostureService posture = new PostureService(deviceStore, alertStore, catalogStore, evidenceStore, deps.reports(),
                cfg.disclosure().published(), PostureService.DEFAULT_ACKNOWLEDGE_WITHIN, FirmwareCurrency.DEFAULT_GRACE, clock);
        alertStore.setSuppression(a -> erasures.covers(a.getTenant(), a.getDeviceId(), a.getOpenedAt()));
        deviceStore.setSuppression((k, s) -> {
            String[] tk = io.fleetwarden.model.DeviceKeys.parse(k); // the key decides, not the record's own fields
            return erasures.covers(tk[0], tk[1], s.getLastSeen());
        });
        // posture evidence of an erased device is not rebuilt from records at or before its erasure
        evidenceStore.setSuppression(erasures::covers);
        AuditLog audit = new AuditLog(auditStore, deps.publisher(), mapper, clock);
        AlertService alerts = new AlertService(alertStore, deps.publisher(), clock, audit, auditStore);
        DeviceService devices = new DeviceService(deviceStore, alertStore, posture, deps.health(), deps.publisher(), clock,
                audit);
        CertificateRevocations certificates = new CertificateRevocations(deviceStore, deps.publisher(), audit, clock);
        FirmwareService firmware = new FirmwareService(catalogStore, deviceStore, deps.publisher(), clock);
        postureHistory = cfg.influxUrl() == null ? null : new PostureHistory(cfg.influxUrl(), cfg.influxUser(),
                cfg.influxPassword(), cfg.influxDatabase(), posture);
        // Decommission writes the durable erasure record and audit entry, and erases the posture series and
        // evidence too (guideline 11).
        DecommissionService decommission = new DecommissionService(devices, deviceStore, alertStore,
                new PostureErasure(deps.health(), postureHistory, evidenceStore), deps.publisher(), erasures, audit, mapper,
                clock);
        DisclosureHandler disclosure = new DisclosureHandler(cfg.disclosure(), deps.reports(), firmware, mapper, clock);
        webhooks = new WebhookDispatcher(cfg.webhooks(), alertStore, mapper, clock, Duration.ofSeconds(1), 6);
        autoQuarantine = new AutoQuarantinePolicy(new HashSet<>(cfg.autoQuarantineRules()), devices, this::isLive);
        alertStore.addListener(autoQuarantine::onAlert);
        alertStore.addListener(a -> {
            if (isLive()) {
                webhooks.dispatch(a);
            }
        });

        routes.add(Route.get("/health", Access.PUBLIC, "Liveness", ctx -> ctx.json(Map.of("status", "UP"))));
        routes.add(Route.get("/ready", Access.PUBLIC, "Readiness: topics replayed and time-series store answering",
                this::ready));
        routes.add(Route.get("/metrics", Access.PUBLIC, "Prometheus metrics",
                ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape())));
        routes.add(Route.get("/api/v1/openapi.json", Access.PUBLIC, "This OpenAPI document",
                ctx -> ctx.json(OpenApi.document(routes, VERSION))));
        routes.addAll(new AlertHandler(alerts, mapper).routes());
        alertStream = new AlertStream(alertStore, mapper);
        routes.addAll(alertStream.routes());
        routes.addAll(new ExportHandler(alertStore, auditStore, webhooks, mapper, cfg.kafkaBootstrap(), VERSION).routes());
        routes.addAll(new DeviceHandler(devices, decommission, certificates, mapper).routes());
        routes.addAll(new AuditHandler(auditStore, audit).routes());
        RegistryService registry = new RegistryService(registryStore, deps.publisher(), audit, mapper, clock);
        routes.addAll(new RegistryHandler(registry, mapper).routes());
        jitRequests = new JitRequests(registry, this::isLive);
        Map<String, java.util.function.DoubleSupplier> jit = new LinkedHashMap<>();
        jit.put("registered", registry::jitRegistrations);
        RegistryService.JIT_REFUSALS.forEach(r -> jit.put(r, () -> registry.jitRefusals(r)));
        metrics.gauge("fleetwarden_dashboard_jit_requests", "Just-in-time registration requests from brokers:"
                + " registered, or refused by reason", "result", jit);
        metrics.gauge("fleetwarden_dashboard_jit_requests_dropped", "Just-in-time registration requests dropped: too"
                + " many waited while the topics replayed", jitRequests::dropped);
        Map<String, java.util.function.DoubleSupplier> refusals = new LinkedHashMap<>();
        RegistryService.REASONS.forEach(r -> refusals.put(r, () -> registry.refusals(r)));
        metrics.gauge("fleetwarden_dashboard_enrolment_refusals", "Enrolment requests and import rows refused, by reason",
                "reason", refusals);
        metrics.gauge("fleetwarden_dashboard_registered_devices", "Devices in the registry", registryStore::size);
        PstiStatement psti = new PstiStatement(posture, catalogStore, deps.reports(), cfg.disclosure().published(),
                PostureService.DEFAULT_ACKNOWLEDGE_WITHIN);
        routes.addAll(new PostureHandler(posture, psti, new IcsExport(posture, psti), postureHistory).routes());
        routes.addAll(new FirmwareHandler(firmware, mapper).routes());
        routes.addAll(new FleetHandler(deps.health(), firmware, clock).routes());
        routes.addAll(disclosure.routes());
        cra = new CraService(craCases, catalogStore, alertStore, posture, clock,
                new io.fleetwarden.dashboard.cra.CraAlerts(craCases, alertStore, deps.publisher(), this::isLive));
        routes.addAll(new CraHandler(cra, mapper).routes());
        routes.addAll(new TokenHandler(deps.tokens(), mapper).routes());
        routes.add(Route.get("/api/v1/auto-quarantine", Access.VIEWER, "The automatic-quarantine policy",
                ctx -> ctx.json(Map.of("rules", autoQuarantine.rules(), "issued", autoQuarantine.issued()))));
        routes.add(Route.get("/api/v1/rules", Access.VIEWER,
                "The detection catalogue (event-model RuleCatalog): rules with severity, guidelines, MITRE technique, thresholds and defaults",
                ctx -> ctx.json(Map.of("rules", RuleCatalog.standard().rules(), "settings", RuleCatalog.standard().settings()))));

        metrics.gauge("fleetwarden_dashboard_alerts", "Alerts materialised", alertStore::size);
        metrics.gauge("fleetwarden_dashboard_alert_streams", "Open live alert streams", alertStream::subscribers);
        metrics.gauge("fleetwarden_dashboard_alert_streams_overflowed", "Live alert streams closed: the client did not keep up",
                alertStream::overflowed);
        metrics.gauge("fleetwarden_dashboard_devices", "Devices known", () -> deviceStore.keys().size());
        metrics.gauge("fleetwarden_dashboard_disclosure_refused", "Vulnerability reports refused",
                disclosure::refusedCount);
        metrics.gauge("fleetwarden_dashboard_posture_evidence_dropped", "Posture records dropped at the device cap",
                evidenceStore::dropped);
        metrics.gauge("fleetwarden_dashboard_posture_evidence_erased", "Posture records not counted: their device was erased",
                evidenceStore::suppressed);
        metrics.gauge("fleetwarden_dashboard_auto_quarantines", "Automatic quarantines issued", autoQuarantine::issued);
        if (deps.materializer() != null) {
            metrics.gauge("fleetwarden_dashboard_records_materialised", "Kafka records read",
                    deps.materializer()::records);
            metrics.gauge("fleetwarden_dashboard_records_skipped", "Kafka records that could not be applied",
                    deps.materializer()::failures);
            wireMaterializer(deps.materializer());
        }

        Authenticator auth = new Authenticator(deps.tokens(), deps.jwt());
        javalin = Javalin.create(c -> {
            c.jsonMapper(new JavalinJackson(mapper, false));
            c.http.maxRequestSize = 1_000_000;
            c.jetty.host = cfg.httpHost();
            c.jetty.port = cfg.httpPort();
            c.startup.showJavalinBanner = false;
            c.staticFiles.add(s -> {
                s.hostedPath = "/";
                s.directory = "/web";
                s.location = Location.CLASSPATH;
            });
            c.staticFiles.enableWebjars();
            if (!cfg.corsOrigins().isEmpty()) {
                c.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
                    rule.path = "/api/*";
                    rule.allowHost(cfg.corsOrigins().get(0),
                            cfg.corsOrigins().subList(1, cfg.corsOrigins().size()).toArray(new String[0]));
                }));
            }
            c.routes.before(ctx -> {
                ctx.attribute("fw.t0", System.nanoTime());
                securityHeaders(ctx);
            });
            c.routes.after(ctx -> {
                Long t0 = ctx.attribute("fw.t0");
                String route = ctx.attribute("fw.route");
                metrics.record(ctx.method().name(), route == null ? "unmatched" : route, ctx.statusCode(),
                        t0 == null ? 0 : (System.nanoTime() - t0) / 1e9);
            });
            for (Route r : routes) {
                io.javalin.http.Handler guarded = Routes.guarded(r, auth);
                c.routes.addHttpHandler(r.method(), r.path(), ctx -> {
                    ctx.attribute("fw.route", r.path());
                    guarded.handle(ctx);
                });
            }
            c.routes.exception(ApiException.class, (e, ctx) -> Problems.write(ctx, e));
            c.routes.exception(HttpResponseException.class, (e, ctx) -> Problems.write(ctx, e.getStatus(),
                    e.getStatus() == 404 ? "not-found" : "http-" + e.getStatus(),
                    e.getStatus() == 404 ? "Not found" : "Request refused",
                    e.getStatus() == 404 ? "no such resource" : safeDetail(e.getMessage())));
            c.routes.exception(Exception.class, (e, ctx) -> {
                String incident = UUID.randomUUID().toString();
                LOG.error("unhandled error {} on {} {}", incident, ctx.method(), ctx.path(), e);
                Problems.write(ctx, 500, "internal-error", "Internal error",
                        "the server could not complete the request; incident " + incident);
            });
        });
    }

    private static String safeDetail(String message) {
        return message == null || message.length() > 200 ? null : message;
    }

    /** Applies the response headers every answer carries (API and dashboard). */
    static void securityHeaders(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        ctx.header("Cross-Origin-Resource-Policy", "same-origin");
        ctx.header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        ctx.header("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
                + " img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none';"
                + " base-uri 'none'; form-action 'self'");
        if (ctx.path().startsWith("/api/")) {
            ctx.header("Cache-Control", "no-store");
        }
    }

    private void wireMaterializer(TopicMaterializer m) {
        m.on(Topics.ALERTS, r -> {
            if (r.value() != null) {
                alertStore.applyAlert(Codecs.ALERT.tryDecode(r.value()).value());
            }
        });
        m.on(Topics.ALERT_TRIAGE, r -> {
            if (r.value() == null) {
                alertStore.removeTriage(r.key());
            } else {
                alertStore.applyTriage(Codecs.ALERT_TRIAGE.tryDecode(r.value()).value());
            }
        });
        m.on(Topics.DEVICE_STATUS, r -> {
            deviceStore.applyStatus(r.key(), r.value() == null ? null : Codecs.DEVICE_STATUS.tryDecode(r.value()).value());
            // a status suppressed by an erasure is not evidence either
            evidenceStore.noteKeyed(ref(r, java.time.Instant.ofEpochMilli(r.timestamp())),
                    r.value() == null || deviceStore.status(r.key()).isEmpty());
        });
        m.on(Topics.DEVICE_CONTROLS, r -> deviceStore.applyControl(r.key(),
                r.value() == null ? null : Codecs.DEVICE_CONTROL.tryDecode(r.value()).value()));
        m.on(OwnTopics.AUDIT, r -> {
            if (r.value() != null) {
                AuditEntry e = read(r.value(), AuditEntry.class);
                if (e.chain() == null || !e.chain().equals(r.key())) {
                    throw new IllegalArgumentException("audit entry does not match its key");
                }
                auditStore.applyEntry(e);
            }
        });
        m.on(OwnTopics.AUDIT_DETAILS, r -> auditStore.applyDetail(r.key(),
                r.value() == null ? null : read(r.value(), AuditDetail.class)));
        m.on(OwnTopics.ERASURES, r -> {
            ErasureStore.Erasure e = r.value() == null ? null : read(r.value(), ErasureStore.Erasure.class);
            erasures.apply(r.key(), e);
            if (e != null) {
                // the device's records may have been replayed before its erasure record
                for (io.fleetwarden.model.Alert a : alertStore.alertsOfDevice(e.tenant(), e.deviceId())) {
                    if (alertStore.isSuppressed(a)) {
                        alertStore.removeAlert(a.getAlertId());
                    }
                }
                deviceStore.status(r.key()).filter(s -> erasures.covers(e.tenant(), e.deviceId(), s.getLastSeen()))
                        .ifPresent(s -> deviceStore.removeStatus(r.key()));
                evidenceStore.onErasure(e.tenant(), e.deviceId(), e.erasedAt());
                if (deviceStore.status(r.key()).isEmpty()) {
                    evidenceStore.noteKeyed(new Evidence.RecordRef(Topics.DEVICE_STATUS, r.key(), 0, 0, e.erasedAt()), true);
                }
            }
        });
        m.on(Topics.FIRMWARE_CATALOG, r -> {
            catalogStore.applyCatalog(r.key(), r.value() == null ? null : Codecs.FIRMWARE_CATALOG.tryDecode(r.value()).value());
            evidenceStore.noteKeyed(ref(r, java.time.Instant.ofEpochMilli(r.timestamp())), r.value() == null);
        });
        m.on(Topics.ADVISORIES, r -> {
            catalogStore.applyAdvisory(r.key(), r.value() == null ? null : Codecs.ADVISORY.tryDecode(r.value()).value());
            evidenceStore.noteKeyed(ref(r, java.time.Instant.ofEpochMilli(r.timestamp())), r.value() == null);
        });
        // Posture evidence: bounded summaries per device (see EvidenceStore); the time is the broker's, not the device's.
        m.on(Topics.TELEMETRY, r -> {
            if (r.value() != null) {
                io.fleetwarden.model.Telemetry t = Codecs.TELEMETRY.tryDecode(r.value()).value();
                evidenceStore.applyTelemetry(t, ref(r, t.getReceivedAt()));
            }
        });
        m.on(Topics.DEVICE_REGISTRY, r -> registryStore.applyRecord(r.key(), r.value()));
        m.on(Topics.SECURITY_EVENTS, r -> {
            if (r.value() != null) {
                io.fleetwarden.model.SecurityEvent e = Codecs.SECURITY_EVENT.tryDecode(r.value()).value();
                if (e.getType() == io.fleetwarden.model.SecurityEventType.CONNECT && e.getBroker() != null) {
                    // which certificate a device last connected with (renewal visibility in the registry)
                    registryStore.noteConnect(e.getTenant(), e.getDeviceId(), e.getBroker().getCertificateFingerprint(),
                            e.getTimestamp());
                }
                // a broker asks for a just-in-time registration; written once the registry is replayed (JitRequests)
                jitRequests.offer(e);
                evidenceStore.applySecurityEvent(e, ref(r, e.getTimestamp()));
            }
        });
    }

    private static Evidence.RecordRef ref(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r,
                                          java.time.Instant at) {
        return new Evidence.RecordRef(r.topic(), r.key(), r.partition(), r.offset(), at);
    }

    private <T> T read(byte[] value, Class<T> type) {
        try {
            return mapper.readValue(value, type);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("unreadable " + type.getSimpleName() + ": " + e.getClass().getSimpleName());
        }
    }

    /** Live = past the initial replay (or no materialiser at all, in tests). */
    private boolean isLive() {
        return deps.materializer() == null || deps.materializer().isCaughtUp();
    }

    private void ready(Context ctx) {
        boolean replayed = isLive();
        boolean series = deps.health().ping();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", replayed && series ? "READY" : "NOT_READY");
        body.put("topicsReplayed", replayed);
        body.put("timeSeriesStore", series);
        ctx.status(replayed && series ? 200 : 503).json(body);
    }

    /** Builds the app with CRA cases kept in memory only; call {@link #start()} to serve. */
    public static DashboardApp create(Dependencies deps) {
        return new DashboardApp(deps, new CraCaseStore(null));
    }

    /** Builds the app with CRA cases persisted in {@code craCases}; call {@link #start()} to serve. */
    public static DashboardApp create(Dependencies deps, CraCaseStore craCases) {
        return new DashboardApp(deps, craCases);
    }

    /** Writes a posture snapshot to InfluxDB now (the timer does every 5 minutes); points written, or -1 without InfluxDB. */
    public int snapshotPosture() {
        return postureHistory == null ? -1 : postureHistory.snapshot(deps.clock().instant());
    }

    /**
     * Raises the CRA deadline reminders now due and publishes their alerts (rule CRA-DEADLINE-001, once
     * the alert topic is replayed); the timer calls this every minute.
     */
    public List<CraService.Reminder> checkCraDeadlines() {
        List<CraService.Reminder> raised = cra.checkDeadlines();
        for (CraService.Reminder r : raised) {
            LOG.warn("CRA Article 14 reminder: case {} ({}) {} due {}", r.caseId(), r.advisoryId(), r.stage(), r.due());
        }
        return raised;
    }

    /** Starts the materialiser (if any) and the HTTP server. */
    public DashboardApp start() {
        if (deps.materializer() != null) {
            deps.materializer().start();
        }
        javalin.start();
        // requests seen during the replay wait for it to end (the registry must be complete to judge them)
        craTimer.scheduleWithFixedDelay(() -> {
            try {
                jitRequests.drain();
            } catch (RuntimeException e) {
                LOG.error("just-in-time registrations failed: {}", e.toString());
            }
        }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        craTimer.scheduleWithFixedDelay(() -> {
            try {
                checkCraDeadlines();
            } catch (RuntimeException e) {
                LOG.error("CRA deadline check failed: {}", e.toString());
            }
        }, 5, 60, java.util.concurrent.TimeUnit.SECONDS);
        if (postureHistory != null) {
            craTimer.scheduleWithFixedDelay(() -> {
                try {
                    if (isLive()) {
                        snapshotPosture();
                    }
                } catch (RuntimeException e) {
                    LOG.warn("posture snapshot failed: {}", e.toString());
                }
            }, 60, 300, java.util.concurrent.TimeUnit.SECONDS);
        }
        return this;
    }

    public int port() {
        return javalin.port();
    }

    public Javalin javalin() {
        return javalin;
    }

    /** The route table (for the OpenAPI document and the role-matrix test). */
    public List<Route> routes() {
        return List.copyOf(routes);
    }

    public AlertStore alertStore() {
        return alertStore;
    }

    public DeviceStore deviceStore() {
        return deviceStore;
    }

    public EvidenceStore evidenceStore() {
        return evidenceStore;
    }

    public CatalogStore catalogStore() {
        return catalogStore;
    }

    public RegistryStore registryStore() {
        return registryStore;
    }

    public AuditStore auditStore() {
        return auditStore;
    }

    @Override
    public void close() {
        craTimer.shutdownNow();
        alertStream.close();
        javalin.stop();
        if (postureHistory != null) {
            postureHistory.close();
        }
        webhooks.close();
        if (deps.materializer() != null) {
            deps.materializer().close();
        }
    }
}
