package io.fleetwarden.deploy.containers;

import java.time.Duration;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.utility.DockerImageName;

/**
 * The Fleetwarden images as Testcontainers containers, configured the way compose runs them.
 * Image names follow {@code deploy/parts.env}: {@code localhost/fleetwarden/<part>:<version>},
 * overridable with {@code -Dfleetwarden.image.registry} and {@code -Dfleetwarden.image.tag}.
 * Images are never pulled: a missing image fails with the command that builds it.
 */
final class Images {

    static final String REGISTRY = System.getProperty("fleetwarden.image.registry", "localhost/fleetwarden");
    static final String TAG = System.getProperty("fleetwarden.image.tag", "0.1.0-SNAPSHOT");

    /** InfluxDB users of one test run (random passwords; the images' default user names). */
    static final String INFLUX_ADMIN = "fleetwarden-admin";
    static final String INFLUX_ADMIN_PASSWORD = randomPassword();
    static final String INFLUX_JOBS = "fleetwarden-jobs";
    static final String INFLUX_JOBS_PASSWORD = randomPassword();
    static final String INFLUX_DASHBOARD = "fleetwarden-dashboard";
    static final String INFLUX_DASHBOARD_PASSWORD = randomPassword();

    private static String randomPassword() {
        return java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(16));
    }

    private Images() {
    }

    static DockerImageName image(String part) {
        String name = REGISTRY + "/" + part + ":" + TAG;
        boolean present = !DockerClientFactory.instance().client().listImagesCmd().withImageNameFilter(name).exec().isEmpty();
        if (!present) {
            throw new IllegalStateException("image " + name + " is not built; run deploy/ci/containers.sh "
                    + "(or FW_BASE_IMAGE=... deploy/containers/build-images.sh " + part + ")");
        }
        return DockerImageName.parse(name);
    }

    /** Local images only: Testcontainers must not try a registry. */
    static final ImagePullPolicy NEVER_PULL = imageName -> false;

    static GenericContainer<?> influxdb(Network network) {
        return new GenericContainer<>(image("influxdb")).withImagePullPolicy(NEVER_PULL)
                .withNetwork(network).withNetworkAliases("influxdb")
                .withEnv("FW_INFLUX_ADMIN_USER", INFLUX_ADMIN).withEnv("FW_INFLUX_ADMIN_PASSWORD", INFLUX_ADMIN_PASSWORD)
                .withEnv("FW_INFLUX_JOBS_USER", INFLUX_JOBS).withEnv("FW_INFLUX_JOBS_PASSWORD", INFLUX_JOBS_PASSWORD)
                .withEnv("FW_INFLUX_DASHBOARD_USER", INFLUX_DASHBOARD)
                .withEnv("FW_INFLUX_DASHBOARD_PASSWORD", INFLUX_DASHBOARD_PASSWORD)
                .withExposedPorts(8086)
                .waitingFor(Wait.forLogMessage(".*influx-provision: fleetwarden provisioned.*", 1)
                        .withStartupTimeout(Duration.ofMinutes(2)));
    }

    static GenericContainer<?> kafka(Network network) {
        return new GenericContainer<>(image("kafka")).withImagePullPolicy(NEVER_PULL)
                .withNetwork(network).withNetworkAliases("kafka")
                .withEnv("KAFKA_ADVERTISED_HOST", "kafka")
                .withEnv("FW_TOPIC_MAX_PARTITIONS", "2")
                .waitingFor(Wait.forLogMessage(".*topic-init: \\d+ topics ready.*", 1)
                        .withStartupTimeout(Duration.ofMinutes(3)));
    }
}
