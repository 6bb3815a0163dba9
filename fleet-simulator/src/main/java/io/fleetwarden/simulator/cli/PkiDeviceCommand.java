package io.fleetwarden.simulator.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.simulator.pki.Credential;
import io.fleetwarden.simulator.pki.FleetPki;

/**
 * {@code pki device}: issues (or reuses) one device credential from the fleet CA by the device profile of
 * {@link DeviceIdentities} and exports it as PEM for third-party MQTT clients, printing the client id and
 * topics the device must use. {@code deploy/bin/dev-pki.sh} issues its device certificates through it, so
 * the profile exists in one place.
 */
@Command(name = "device", mixinStandardHelpOptions = true,
        description = "Issue a device certificate (CN=<id>, O=<tenant>, SAN urn:device:<tenant>:<id>) from the fleet CA "
                + "and write <out>/<tenant>/<id>.crt (chain) and .key (PKCS#8, owner-only).")
final class PkiDeviceCommand implements Callable<Integer> {

    @Option(names = "--ca-dir", defaultValue = ".fleetwarden/simulator-pki", description = "Fleet PKI folder (default: ${DEFAULT-VALUE}).")
    Path caDir;

    @Option(names = "--tenant", required = true, description = "Tenant id.")
    String tenant;

    @Option(names = "--id", required = true, description = "Device id (unique within the tenant).")
    String deviceId;

    @Option(names = "--out", description = "Export folder (default: <ca-dir>/export).")
    Path out;

    @Override
    public Integer call() {
        String clientId;
        try {
            clientId = DeviceIdentities.clientId(tenant, deviceId); // validates both ids before anything is written
        } catch (IllegalArgumentException e) {
            System.err.println("pki device: " + e.getMessage());
            return 2;
        }
        FleetPki pki = FleetPki.openOrCreate(caDir, Clock.systemUTC());
        Credential credential = pki.device(tenant, deviceId);
        Path folder = (out == null ? caDir.resolve("export") : out).resolve(tenant);
        Path certificate = folder.resolve(deviceId + ".crt");
        Path key = folder.resolve(deviceId + ".key");
        FleetPki.writePemFiles(credential, certificate, key);
        System.out.println("certificate: " + certificate.toAbsolutePath());
        System.out.println("private key: " + key.toAbsolutePath());
        System.out.println("subject:     " + DeviceIdentities.subjectDn(tenant, deviceId));
        System.out.println("SAN URI:     " + DeviceIdentities.uri(tenant, deviceId));
        System.out.println("client id:   " + clientId);
        System.out.println("publish:     " + DeviceIdentities.telemetryTopic(tenant, deviceId) + ", "
                + DeviceIdentities.eventsTopic(tenant, deviceId));
        System.out.println("subscribe:   " + DeviceIdentities.commandsTopic(tenant, deviceId) + "/#");
        return 0;
    }
}
