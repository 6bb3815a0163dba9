package io.fleetwarden.broker.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.Durations;

/**
 * The extension's whole configuration, parsed and validated once at start from {@code conf/config.xml}.
 * Immutable and thread-safe.
 *
 * <p>Keys are the element paths below the root joined with dots, e.g. {@code kafka.bootstrap-servers}.
 * Every key may be overridden by a setting {@code fleetwarden.<key>}: the {@code fleetwarden-broker}
 * launcher hands them to the extension of each broker it starts ({@link LauncherHandoff}); on a stock
 * HiveMQ they are JVM flags {@code -Dfleetwarden.<key>=value}. Unknown keys are refused, so a typo never
 * silently falls back to a default.
 *
 * @param brokerId                 id of this broker instance, carried in every record
 * @param caCertificates           PEM files (or folders of {@code *.pem}/{@code *.crt}) of the trusted fleet CAs
 * @param crlFolder                folder of CRL files ({@code *.crl}, {@code *.pem}, DER or PEM); may be absent
 * @param crlReloadInterval        how often the CRL folder is checked for changes
 * @param defaultTenant            tenant used when neither the SAN URI nor the subject O names one
 * @param tlsProtocols             negotiated TLS protocols accepted (checked again by the extension)
 * @param requireAeadCipher        whether a non-AEAD negotiated cipher suite refuses the connection
 * @param maxPayloadBytes          largest accepted PUBLISH payload
 * @param rateLimitPerSecond       sustained publishes per second per device (token refill rate)
 * @param rateLimitBurst           token bucket size per device
 * @param clockSkew                skew window: a telemetry {@code ts} further than this from the broker's receive
 *                                 time (either way) is a {@code device-clock-skew} finding; event time is bounded
 *                                 to the window (see {@code EventTime}). At most {@link #MAX_CLOCK_SKEW}, the
 *                                 stream jobs' allowed lateness, so a reading held at the window's edge is never
 *                                 dropped as late
 * @param clockSkewReportInterval  at most one clock-skew event per device per interval (the event counts the
 *                                 skewed readings it stands for)
 * @param kafkaBootstrapServers    Kafka bootstrap servers
 * @param bufferMaxRecords         records held in memory while Kafka is unreachable before dropping
 * @param controlsInitialLoadTimeout how long start waits to read the control topic to its end
 * @param metricsPort              Prometheus HTTP port; 0 picks a free port, -1 disables the endpoint
 * @param metricsBindAddress       address the metrics endpoint binds to
 * @param readyMaxBufferDepth      readiness fails at this many records waiting for Kafka (default: half the buffer)
 * @param registryEnforced         whether every CONNECT must match the device registry ({@code registry.enforcement}
 *                                 {@code on}): unregistered, suspended or decommissioned devices and certificates
 *                                 the registry does not list are refused; {@code off} (the default) admits every
 *                                 device whose certificate verifies
 * @param jitPerMinute             just-in-time registrations (certificates of an enrolment CA, see
 *                                 {@link io.fleetwarden.broker.registry.DeviceRegistry}) admitted per tenant per
 *                                 minute on this broker ({@code registry.jit-per-minute})
 * @param jitBurst                 just-in-time registrations a tenant may make at once ({@code registry.jit-burst})
 */
public record BrokerConfig(
        String brokerId,
        List<Path> caCertificates,
        Path crlFolder,
        Duration crlReloadInterval,
        String defaultTenant,
        Set<String> tlsProtocols,
        boolean requireAeadCipher,
        int maxPayloadBytes,
        double rateLimitPerSecond,
        int rateLimitBurst,
        Duration clockSkew,
        Duration clockSkewReportInterval,
        String kafkaBootstrapServers,
        int bufferMaxRecords,
        Duration controlsInitialLoadTimeout,
        int metricsPort,
        String metricsBindAddress,
        int readyMaxBufferDepth,
        boolean registryEnforced,
        double jitPerMinute,
        int jitBurst) {

    /** Prefix of system properties that override file values. */
    public static final String OVERRIDE_PREFIX = "fleetwarden.";

    /** Largest skew window accepted: the stream jobs' allowed lateness (readings behind by more are dropped there). */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(10);

    static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("broker-id", null);
        d.put("trust.ca-certificates", null);
        d.put("trust.crl-folder", "");
        d.put("trust.crl-reload-interval", "PT5S");
        d.put("trust.default-tenant", "default");
        d.put("tls.protocols", "TLSv1.3,TLSv1.2");
        d.put("tls.require-aead-cipher", "true");
        d.put("validation.max-payload-bytes", "16384");
        d.put("validation.rate-limit-per-second", "5");
        d.put("validation.rate-limit-burst", "20");
        d.put("validation.clock-skew", "PT2M");
        d.put("validation.clock-skew-report-interval", "PT1M");
        d.put("kafka.bootstrap-servers", null);
        d.put("kafka.buffer-max-records", "100000");
        d.put("kafka.controls-initial-load-timeout", "PT30S");
        d.put("metrics.port", "9399");
        d.put("metrics.bind-address", "127.0.0.1");
        d.put("health.max-buffer-depth", "");
        d.put("registry.enforcement", "off");
        d.put("registry.jit-per-minute", "60");
        d.put("registry.jit-burst", "20");
        return d;
    }

    /**
     * Reads {@code file}, applies {@code fleetwarden.*} overrides from {@code overrides} and validates.
     * Relative paths are resolved against {@code base} (the extension's home folder).
     *
     * @throws ConfigException naming the offending key
     */
    public static BrokerConfig load(Path file, Path base, Properties overrides) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        if (file != null) {
            values.putAll(readXml(file));
        }
        for (String key : DEFAULTS.keySet()) {
            String override = overrides.getProperty(OVERRIDE_PREFIX + key);
            if (override != null) {
                values.put(key, override);
            }
        }
        return fromMap(values, base);
    }

    /** Validates a complete key/value map (keys as in {@link #DEFAULTS}). */
    static BrokerConfig fromMap(Map<String, String> v, Path base) {
        for (String key : v.keySet()) {
            if (!DEFAULTS.containsKey(key)) {
                throw new ConfigException(key, "unknown key; known keys are " + DEFAULTS.keySet());
            }
        }
        String brokerId = required(v, "broker-id");
        DeviceKeysCheck.id("broker-id", brokerId);
        List<Path> cas = Arrays.stream(required(v, "trust.ca-certificates").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).map(s -> base.resolve(s).normalize()).toList();
        for (Path ca : cas) {
            if (!Files.isReadable(ca)) {
                throw new ConfigException("trust.ca-certificates", "not readable: " + ca);
            }
        }
        if (cas.isEmpty()) {
            throw new ConfigException("trust.ca-certificates", "at least one CA certificate is required");
        }
        String crl = v.get("trust.crl-folder");
        Path crlFolder = crl == null || crl.isBlank() ? null : base.resolve(crl.trim()).normalize();
        if (crlFolder != null && !Files.isDirectory(crlFolder)) {
            throw new ConfigException("trust.crl-folder", "not a folder: " + crlFolder);
        }
        Duration crlInterval = duration(v, "trust.crl-reload-interval");
        String defaultTenant = required(v, "trust.default-tenant");
        DeviceKeysCheck.id("trust.default-tenant", defaultTenant);
        Set<String> protocols = Set.copyOf(Arrays.stream(required(v, "tls.protocols").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList());
        for (String p : protocols) {
            if (!p.equals("TLSv1.3") && !p.equals("TLSv1.2")) {
                throw new ConfigException("tls.protocols", "only TLSv1.3 and TLSv1.2 are allowed, got " + p);
            }
        }
        if (protocols.isEmpty()) {
            throw new ConfigException("tls.protocols", "empty");
        }
        boolean aead = bool(v, "tls.require-aead-cipher");
        int maxPayload = intIn(v, "validation.max-payload-bytes", 64, 256 * 1024 * 1024);
        double rate = parse(v, "validation.rate-limit-per-second", Double::parseDouble, "a number");
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new ConfigException("validation.rate-limit-per-second", "must be > 0, got " + rate);
        }
        int burst = intIn(v, "validation.rate-limit-burst", 1, 1_000_000);
        Duration skew = duration(v, "validation.clock-skew");
        if (skew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new ConfigException("validation.clock-skew", "must be at most " + MAX_CLOCK_SKEW
                    + " (the stream jobs' allowed lateness), got " + skew);
        }
        Duration skewReport = duration(v, "validation.clock-skew-report-interval");
        String bootstrap = required(v, "kafka.bootstrap-servers");
        for (String hp : bootstrap.split(",")) {
            if (!hp.trim().matches("[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}")) {
                throw new ConfigException("kafka.bootstrap-servers", "expected host:port[,host:port], got " + bootstrap);
            }
        }
        int buffer = intIn(v, "kafka.buffer-max-records", 1, 100_000_000);
        Duration load = duration(v, "kafka.controls-initial-load-timeout");
        int metricsPort = intIn(v, "metrics.port", -1, 65535);
        String bind = required(v, "metrics.bind-address");
        String readyDepthText = v.get("health.max-buffer-depth");
        int readyDepth = readyDepthText == null || readyDepthText.isBlank() ? Math.max(1, buffer / 2)
                : intIn(v, "health.max-buffer-depth", 1, buffer);
        String enforcement = required(v, "registry.enforcement");
        if (!enforcement.equals("on") && !enforcement.equals("off")) {
            throw new ConfigException("registry.enforcement", "expected on or off, got '" + enforcement + "'");
        }
        double jitRate = parse(v, "registry.jit-per-minute", Double::parseDouble, "a number");
        if (!(jitRate > 0) || jitRate > 1_000_000) {
            throw new ConfigException("registry.jit-per-minute", "must be above 0 and at most 1000000, got " + jitRate);
        }
        int jitBurst = intIn(v, "registry.jit-burst", 1, 1_000_000);
        return new BrokerConfig(brokerId, cas, crlFolder, crlInterval, defaultTenant, protocols, aead, maxPayload,
                rate, burst, skew, skewReport, bootstrap.trim(), buffer, load, metricsPort, bind, readyDepth,
                enforcement.equals("on"), jitRate, jitBurst);
    }

    private static Map<String, String> readXml(Path file) {
        Document doc;
        try (InputStream in = Files.newInputStream(file)) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            // The file is operator-owned, but external entities have no business in it either.
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            doc = b.parse(in);
        } catch (IOException e) {
            throw new ConfigException("(file)", "cannot read " + file + ": " + e.getMessage(), e);
        } catch (SAXException | ParserConfigurationException e) {
            throw new ConfigException("(file)", "not well-formed XML in " + file + ": " + e.getMessage(), e);
        }
        Element root = doc.getDocumentElement();
        if (!"fleetwarden-broker".equals(root.getTagName())) {
            throw new ConfigException("(root)", "root element must be <fleetwarden-broker>, got <" + root.getTagName() + ">");
        }
        Map<String, String> out = new LinkedHashMap<>();
        collect(root, "", out);
        return out;
    }

    private static void collect(Element element, String prefix, Map<String, String> out) {
        boolean hasChildElements = false;
        for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element child) {
                hasChildElements = true;
                String key = prefix.isEmpty() ? child.getTagName() : prefix + "." + child.getTagName();
                collect(child, key, out);
            }
        }
        if (!hasChildElements && !prefix.isEmpty()) {
            if (out.containsKey(prefix)) {
                throw new ConfigException(prefix, "given more than once");
            }
            out.put(prefix, element.getTextContent().trim());
        }
    }

    private static String required(Map<String, String> v, String key) {
        String s = v.get(key);
        if (s == null || s.isBlank()) {
            throw new ConfigException(key, "required but missing or empty");
        }
        return s.trim();
    }

    private static <T> T parse(Map<String, String> v, String key, Function<String, T> parser, String expected) {
        String s = required(v, key);
        try {
            return parser.apply(s);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new ConfigException(key, "expected " + expected + ", got '" + s + "'");
        }
    }

    private static int intIn(Map<String, String> v, String key, int min, int max) {
        int value = parse(v, key, Integer::parseInt, "an integer");
        if (value < min || value > max) {
            throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    private static boolean bool(Map<String, String> v, String key) {
        String s = required(v, key);
        if (!s.equals("true") && !s.equals("false")) {
            throw new ConfigException(key, "expected true or false, got '" + s + "'");
        }
        return Boolean.parseBoolean(s);
    }

    /** A positive duration in the project's one syntax ({@link Durations}: {@code PT5S} or {@code 5s}). */
    private static Duration duration(Map<String, String> v, String key) {
        String s = required(v, key);
        try {
            return Durations.parsePositive(s);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
    }

    /** Id checks with the key named in the error. */
    private static final class DeviceKeysCheck {
        static void id(String key, String value) {
            if (!DeviceKeys.isValidId(value)) {
                throw new ConfigException(key, "must be 1-64 characters of [A-Za-z0-9._-] starting with a letter or digit, got '"
                        + value + "'");
            }
        }
    }
}
