package io.fleetwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** Starting and closing by hand (outside JUnit's lifecycle) leaves nothing behind. */
class KafkaExtensionLifecycleIT {

    @Test
    void closeReleasesPortAndThreads() throws Exception {
        Set<Thread> before = liveNonDaemonThreads();
        KafkaExtension kafka = KafkaExtension.withTopics("lifecycle");
        int port;
        try {
            kafka.start();
            port = kafka.port();
            assertThat(kafka.produce("lifecycle", "k", "v").offset()).isZero();
            System.out.printf("Kafka (manual start) started in %d ms%n", kafka.startupTime().toMillis());
        } finally {
            kafka.close();
        }
        kafka.close(); // idempotent

        assertThat(kafka.isRunning()).isFalse();
        assertThatThrownBy(kafka::bootstrapServers).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not started");
        assertThat(accepts(port)).isFalse();
        // Kafka's threads stop asynchronously after close(); give them a moment.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Set<Thread> leaked = leaked(before);
        while (!leaked.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            leaked = leaked(before);
        }
        assertThat(leaked.stream().map(Thread::getName).collect(Collectors.toList())).isEmpty();
    }

    private static Set<Thread> leaked(Set<Thread> before) {
        Set<Thread> now = liveNonDaemonThreads();
        now.removeAll(before);
        return now;
    }

    private static Set<Thread> liveNonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon())
                .collect(Collectors.toSet());
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
