package io.fleetwarden.broker.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.broker.config.ConfigException;
import io.fleetwarden.testsupport.TestPki;

/**
 * The launcher's renegotiation guard: the property is set (and a contrary setting refused), and the
 * in-memory self-test tells a JVM that refuses client-initiated renegotiation from one that accepts it
 * (the accepting one runs in a child JVM: the JDK reads the property once per JVM).
 */
class TlsRenegotiationTest {

    static final char[] PASSWORD = "test-only-pw".toCharArray();

    @TempDir
    Path dir;

    @Test
    void setsThePropertyAndRefusesAContrarySetting() {
        String before = System.getProperty(TlsRenegotiation.PROPERTY);
        try {
            System.setProperty(TlsRenegotiation.PROPERTY, "false");
            assertThatThrownBy(TlsRenegotiation::refuseClientInitiated).isInstanceOfSatisfying(ConfigException.class,
                    e -> assertThat(e.key()).isEqualTo(TlsRenegotiation.PROPERTY)).hasMessageContaining("must be true");
            System.clearProperty(TlsRenegotiation.PROPERTY);
            TlsRenegotiation.refuseClientInitiated();
            assertThat(System.getProperty(TlsRenegotiation.PROPERTY)).isEqualTo("true");
        } finally {
            if (before == null) {
                System.setProperty(TlsRenegotiation.PROPERTY, "true");
            } else {
                System.setProperty(TlsRenegotiation.PROPERTY, before);
            }
        }
    }

    @Test
    void selfTestPassesWhereRenegotiationIsRefusedAndFailsWhereItIsAccepted() throws Exception {
        Path keystore = TestPki.create("acme").serverCertificate().writeKeyStore(dir, PASSWORD);
        assertThat(run(keystore, "true")).as("refusing JVM").startsWith("refused");
        assertThat(run(keystore, "false")).as("accepting JVM").startsWith("accepted")
                .contains("accepts client-initiated TLS renegotiation");
    }

    /** Runs {@link Child} in a fresh JVM with the property as given; returns what it printed. */
    private static String run(Path keystore, String property) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-D" + TlsRenegotiation.PROPERTY + "=" + property,
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), keystore.toString()))
                .redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String last = out.lines().filter(l -> l.startsWith("refused") || l.startsWith("accepted")).findFirst().orElse(out);
        return last;
    }

    /** Child JVM: runs the self-test and prints its outcome. */
    public static final class Child {
        public static void main(String[] args) {
            try {
                TlsRenegotiation.verify(Path.of(args[0]), PASSWORD, PASSWORD);
                System.out.println("refused");
            } catch (IllegalStateException e) {
                System.out.println("accepted: " + e.getMessage());
            }
        }
    }
}
