package io.fleetwarden.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Assumptions;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the CycloneDX SBOMs the build writes beside each shipped artifact
 * ({@code target/<artifact>-<version>[-<kind>].cdx.json}, cyclonedx-maven-plugin in the parent POM) and
 * the versions the parent POM pins, for the SBOM tests (Failsafe passes the locations as
 * {@code fleetwarden.build.*} system properties).
 */
public final class Sboms {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Sboms() {
    }

    /** One component of an SBOM. */
    public record Component(String group, String name, String version, String purl) {
    }

    /**
     * A parsed SBOM.
     *
     * @param file       where it was read from
     * @param subject    the purl of the artifact it describes ({@code metadata.component})
     * @param components every component it lists
     */
    public record Sbom(Path file, String subject, List<Component> components) {

        /** The component {@code group:name}, if listed. */
        public Optional<Component> find(String group, String name) {
            return components.stream().filter(c -> c.group().equals(group) && c.name().equals(name)).findFirst();
        }
    }

    /** Parses a CycloneDX JSON SBOM; fails unless it is one. */
    public static Sbom read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the SBOM " + file, e);
        }
        if (!"CycloneDX".equals(root.path("bomFormat").asText())) {
            throw new AssertionError(file + " is not a CycloneDX SBOM (bomFormat " + root.path("bomFormat") + ")");
        }
        List<Component> components = new ArrayList<>();
        for (JsonNode c : root.path("components")) {
            components.add(new Component(c.path("group").asText(""), c.path("name").asText(""), c.path("version").asText(""),
                    c.path("purl").asText("")));
        }
        return new Sbom(file, root.path("metadata").path("component").path("purl").asText(""), List.copyOf(components));
    }

    /**
     * The SBOM of this module's artifact ({@code kind} empty) or of one of its other artifacts
     * ({@code kind} such as {@code hivemq-extension}). When it is missing because Maven ran offline
     * ({@code -o}: the CycloneDX plugin needs online mode and skips itself) the test is aborted, reported
     * as skipped with that reason; otherwise a missing SBOM fails.
     */
    public static Sbom ofThisModule(String kind) {
        Path dir = Path.of(property("fleetwarden.build.directory"));
        String name = property("fleetwarden.build.final-name") + (kind.isEmpty() ? "" : "-" + kind) + ".cdx.json";
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            // "offline=<settings.offline>": Maven hands a boolean, Failsafe takes strings
            Assumptions.assumeFalse("offline=true".equals(System.getProperty("fleetwarden.build.offline")),
                    "no SBOM " + file + ": Maven ran offline (-o) and the CycloneDX plugin only runs online");
            throw new AssertionError("no SBOM at " + file + " (the package phase writes it)");
        }
        return read(file);
    }

    /** The {@code <properties>} of the parent POM (the version catalog). */
    public static Map<String, String> parentPomProperties() {
        Path pom = Path.of(property("fleetwarden.build.parent-pom"));
        try (InputStream in = Files.newInputStream(pom)) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Element root = f.newDocumentBuilder().parse(in).getDocumentElement();
            Map<String, String> out = new LinkedHashMap<>();
            for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals("properties")) {
                    for (Node p = e.getFirstChild(); p != null; p = p.getNextSibling()) {
                        if (p instanceof Element prop) {
                            out.put(prop.getTagName(), prop.getTextContent().trim());
                        }
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the parent POM " + pom, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot parse the parent POM " + pom + ": " + e.getMessage(), e);
        }
    }

    /** The version the parent POM pins in property {@code name}; fails if it pins none. */
    public static String pinned(String name) {
        String v = parentPomProperties().get(name);
        if (v == null || v.isBlank()) {
            throw new AssertionError("the parent POM pins no " + name);
        }
        return v;
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            throw new AssertionError("system property " + name + " is not set (Failsafe sets it from the parent POM)");
        }
        return v;
    }
}
