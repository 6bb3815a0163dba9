package io.fleetwarden.dashboard.alert;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.audit.AuditEntry;
import io.fleetwarden.dashboard.audit.AuditStore;
import io.fleetwarden.dashboard.kafka.OwnTopics;
import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Params;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Routes;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.codec.Decoded;
import io.fleetwarden.model.kafka.KafkaClientSecurity;
import io.javalin.http.Context;

/**
 * Pull-based SIEM export that loses nothing: every alert revision ({@code fleet.alerts}) and every
 * triage change (alert chains of the append-only {@code fleet.audit}) as OCSF 1.3 Detection Findings
 * (NDJSON) or CEF lines, read straight from the log by Kafka offset ({@link ExportCursor}). The next
 * cursor is returned in {@code X-Fleetwarden-Cursor}; {@code X-Fleetwarden-More: true} says the page
 * was cut by {@code limit}; {@code X-Fleetwarden-Gap} names partitions whose records at the cursor
 * were already deleted by retention. Records of other tenants and of erased devices are passed over
 * (the cursor still moves past them). Order is per partition (per alert), not global.
 */
public final class ExportHandler {

    /** Export requests served at once; each opens its own consumer. */
    static final int MAX_CONCURRENT = 4;
    private static final Duration MAX_READ = Duration.ofSeconds(10);

    private final AlertStore store;
    private final AuditStore audit;
    private final WebhookDispatcher webhooks;
    private final ObjectMapper mapper;
    private final String bootstrap;
    private final String version;
    private final Semaphore running = new Semaphore(MAX_CONCURRENT);

    public ExportHandler(AlertStore store, AuditStore audit, WebhookDispatcher webhooks, ObjectMapper mapper,
                         String bootstrap, String version) {
        this.store = store;
        this.audit = audit;
        this.webhooks = webhooks;
        this.mapper = mapper;
        this.bootstrap = bootstrap;
        this.version = version;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/export/ocsf", Access.ANALYST,
                        "Every alert revision and triage change as OCSF 1.3 Detection Findings, NDJSON (tenant,"
                                + " cursor, limit); next cursor in X-Fleetwarden-Cursor", ctx -> export(ctx, false)),
                Route.get("/api/v1/export/cef", Access.ANALYST,
                        "Every alert revision and triage change as CEF:0 lines (tenant, cursor, limit); next cursor"
                                + " in X-Fleetwarden-Cursor", ctx -> export(ctx, true)),
                Route.get("/api/v1/export/webhooks", Access.PLATFORM_ADMIN, "Webhook delivery status",
                        ctx -> ctx.json(Map.of("items", webhooks.status()))));
    }

    private void export(Context ctx, boolean cef) throws Exception {
        Set<String> tenants = AlertService.scope(Routes.principal(ctx), ctx.queryParam("tenant"));
        if (ctx.queryParam("since") != null) {
            throw ApiException.badRequest("'since' is gone (a time cursor skips records); use cursor");
        }
        ExportCursor cursor = ExportCursor.parse(ctx.queryParam("cursor"));
        int limit = Params.intParam(ctx, "limit", 1000, 1, 10_000);
        if (bootstrap == null) {
            throw ApiException.unavailable("export needs Kafka");
        }
        if (!running.tryAcquire()) {
            ctx.header("Retry-After", "1");
            throw ApiException.tooManyRequests("at most " + MAX_CONCURRENT + " exports at once");
        }
        try {
            Page page = read(cursor, limit, tenants, cef);
            ctx.header("X-Fleetwarden-Cursor", page.next().toString());
            ctx.header("X-Fleetwarden-More", Boolean.toString(page.more()));
            if (!page.gaps().isEmpty()) {
                ctx.header("X-Fleetwarden-Gap", String.join(",", page.gaps()));
            }
            ctx.contentType(cef ? "text/plain; charset=utf-8" : "application/x-ndjson").result(page.body());
        } finally {
            running.release();
        }
    }

    private record Page(String body, ExportCursor next, boolean more, List<String> gaps) {
    }

    private Page read(ExportCursor cursor, int limit, Set<String> tenants, boolean cef) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(limit, 2000));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dashboard-api-export");
        KafkaClientSecurity.configured().applyTo(p);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            Map<TopicPartition, String> codes = new HashMap<>();
            for (String topic : List.of(Topics.ALERTS, OwnTopics.AUDIT)) {
                List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
                if (infos == null || infos.isEmpty()) {
                    throw ApiException.unavailable("topic " + topic + " is not available");
                }
                for (PartitionInfo i : infos) {
                    codes.put(new TopicPartition(topic, i.partition()),
                            (topic.equals(Topics.ALERTS) ? "a" : "t") + i.partition());
                }
            }
            c.assign(codes.keySet());
            Map<TopicPartition, Long> begin = c.beginningOffsets(codes.keySet());
            Map<TopicPartition, Long> end = c.endOffsets(codes.keySet());
            Map<String, Long> next = new TreeMap<>();
            List<String> gaps = new ArrayList<>();
            for (Map.Entry<TopicPartition, String> e : codes.entrySet()) {
                long at = cursor.offset(e.getValue().substring(0, 1), e.getKey().partition(), 0L);
                long first = begin.getOrDefault(e.getKey(), 0L);
                if (at < first) {
                    if (cursor.next().containsKey(e.getValue())) {
                        gaps.add(e.getValue());
                    }
                    at = first;
                }
                c.seek(e.getKey(), at);
                next.put(e.getValue(), at);
            }
            StringBuilder body = new StringBuilder();
            int emitted = 0;
            boolean cut = false;
            long deadline = System.nanoTime() + MAX_READ.toNanos();
            while (!cut && System.nanoTime() < deadline && !caughtUp(c, end)) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (emitted >= limit) {
                        cut = true;
                        break;
                    }
                    String code = codes.get(new TopicPartition(r.topic(), r.partition()));
                    String position = code + "=" + r.offset();
                    String line = r.topic().equals(Topics.ALERTS) ? alertLine(r, tenants, cef, position)
                            : triageLine(r, tenants, cef, position);
                    if (line != null) {
                        body.append(line).append('\n');
                        emitted++;
                    }
                    next.put(code, r.offset() + 1);
                }
            }
            if (!cut) {
                // caught up: move past transaction markers so the next page starts at the log end
                for (Map.Entry<TopicPartition, String> e : codes.entrySet()) {
                    long pos = c.position(e.getKey());
                    if (pos <= end.get(e.getKey())) {
                        next.merge(e.getValue(), pos, Math::max);
                    }
                }
            }
            return new Page(body.toString(), new ExportCursor(next), cut || !caughtUp(c, end), gaps);
        }
    }

    private static boolean caughtUp(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private String alertLine(ConsumerRecord<String, byte[]> r, Set<String> tenants, boolean cef, String position)
            throws Exception {
        if (r.value() == null) {
            return null;
        }
        Decoded<Alert> d = Codecs.ALERT.tryDecode(r.value());
        if (!d.isOk()) {
            return null;
        }
        Alert a = d.value();
        if (!tenants.isEmpty() && !tenants.contains(a.getTenant()) || store.isSuppressed(a)) {
            return null;
        }
        return cef ? CefMapper.alertRevision(a, version, position)
                : mapper.writeValueAsString(OcsfMapper.revision(a, version, position));
    }

    private String triageLine(ConsumerRecord<String, byte[]> r, Set<String> tenants, boolean cef, String position)
            throws Exception {
        if (r.value() == null || r.key() == null || !r.key().startsWith("alert:")) {
            return null;
        }
        AuditEntry e;
        try {
            e = mapper.readValue(r.value(), AuditEntry.class);
        } catch (java.io.IOException ex) {
            return null;
        }
        if (!tenants.isEmpty() && !tenants.contains(e.scope())) {
            return null;
        }
        Alert a = store.alert(e.chain().substring("alert:".length())).orElse(null);
        if (a == null || !e.scope().equals(a.getTenant())) {
            return null; // erased (or never materialised) alert: its triage is not exported either
        }
        String detail = e.detailDigest() == null ? null : audit.detail(e.id()).map(x -> x.text()).orElse(null);
        return cef ? CefMapper.triageChange(a, e, detail, version, position)
                : mapper.writeValueAsString(OcsfMapper.triageChange(a, e, detail, version, position));
    }
}
