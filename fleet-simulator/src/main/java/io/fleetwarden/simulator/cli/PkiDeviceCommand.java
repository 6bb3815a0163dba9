package io.fleetwarden.simulator.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.simulator.pki.Credential;
import io.fleetwarden.simulator.pki.FleetPki;
import io.fleetwarden.simulator.pki.OperatorCa;

/**
 * {@code pki device}: issues one device credential by the device profile of {@link DeviceIdentities}, from the
 * operator's own CA ({@code --ca-cert}/{@code --ca-key}, {@link OperatorCa}; a new key and certificate every time,
 * never overwriting) or, for development, from the simulator's fleet CA (issued once per device and reused), and exports it as PEM for third-party MQTT clients, printing the client id and
 * topics the device must use. {@code deploy/bin/dev-pki.sh} issues its device certificates through it, so
 * the profile exists in one place.
 */
@Command(name = "device", mixinStandardHelpOptions = true,
        description = "Issue a device certificate (CN=<id>, O=<tenant>, SAN urn:device:<tenant>:<id>, keyUsage digitalSignature, "
                + "EKU clientAuth, EC P-256) and write <out>/<tenant>/<id>.crt (certificate, then the CA chain without the root) "
                + "and .key (PKCS#8, owner-only). With --ca-cert and --ca-key it issues from the operator's own CA (an "
                + "intermediate included) and never overwrites; otherwise from the simulator's fleet CA in --ca-dir (reused per device).")
final class PkiDeviceCommand implements Callable<Integer> {

    @Option(names = "--ca-dir", defaultValue = ".fleetwarden/simulator-pki", description = "Fleet PKI folder (default: ${DEFAULT-VALUE}).")
    Path caDir;

    @Option(names = "--tenant", required = true, description = "Tenant id.")
    String tenant;

    @Option(names = "--id", required = true, description = "Device id (unique within the tenant).")
    String deviceId;

    @Option(names = "--out", description = "Export folder (default: <ca-dir>/export).")
    Path out;

    @Option(names = "--ca-cert", description = "Operator CA: the issuing CA certificate (PEM), optionally followed by the "
            + "intermediates above it, in order. Needs --ca-key.")
    Path caCert;

    @Option(names = "--ca-key", description = "Operator CA: the issuing CA's private key (unencrypted PEM). Needs --ca-cert.")
    Path caKey;

    @Option(names = "--days", defaultValue = "397", description = "Validity with --ca-cert, in days (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() {
        String clientId;
        try {
            clientId = DeviceIdentities.clientId(tenant, deviceId); // validates both ids before anything is written
        } catch (IllegalArgumentException e) {
            System.err.println("pki device: " + e.getMessage());
            return 2;
        }
        if ((caCert == null) != (caKey == null)) {
            System.err.println("pki device: --ca-cert and --ca-key go together");
            return 2;
        }
        Path folder = (out == null ? caDir.resolve("export") : out).resolve(tenant);
        Path certificate = folder.resolve(deviceId + ".crt");
        Path key = folder.resolve(deviceId + ".key");
        Credential credential;
        if (caCert != null) {
            if (Files.exists(certificate) || Files.exists(key)) {
                // a rotation issues into another folder: the device keeps its current pair until the new one works
                System.err.println("pki device: " + certificate + " or " + key + " exists; choose another --out");
                return 2;
            }
            try {
                credential = OperatorCa.load(caCert, caKey).issue(tenant, deviceId, Clock.systemUTC().instant(), Duration.ofDays(days));
            } catch (IllegalArgumentException e) {
                System.err.println("pki device: " + e.getMessage());
                return 2;
            }
        } else {
            credential = FleetPki.openOrCreate(caDir, Clock.systemUTC()).device(tenant, deviceId);
        }
        FleetPki.writePemFiles(credential, certificate, key);
        System.out.println("certificate: " + certificate.toAbsolutePath());
        System.out.println("private key: " + key.toAbsolutePath());
        System.out.println("serial:      " + credential.certificate().getSerialNumber().toString(16));
        System.out.println("not after:   " + credential.certificate().getNotAfter().toInstant());
        System.out.println("subject:     " + DeviceIdentities.subjectDn(tenant, deviceId));
        System.out.println("SAN URI:     " + DeviceIdentities.uri(tenant, deviceId));
        System.out.println("client id:   " + clientId);
        System.out.println("publish:     " + DeviceIdentities.telemetryTopic(tenant, deviceId) + ", "
                + DeviceIdentities.eventsTopic(tenant, deviceId));
        System.out.println("subscribe:   nothing (the platform sends no commands over MQTT)");
        return 0;
    }
}
