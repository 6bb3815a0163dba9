package io.fleetwarden.simulator.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.simulator.pki.FleetPki;

/**
 * {@code pki}: prepares the broker side of the simulator's PKI for a local run: a server key store
 * issued by the fleet CA and a trust store holding the CA. Passwords go to owner-only files next to
 * the stores and are never printed. Its subcommand {@code device} ({@link PkiDeviceCommand}) issues device
 * certificates.
 */
@Command(name = "pki", mixinStandardHelpOptions = true,
        description = "Create the fleet CA (if missing) and a broker server key store and trust store from it; "
                + "'pki device' issues a device certificate.",
        subcommands = PkiDeviceCommand.class)
final class PkiCommand implements Callable<Integer> {

    @Option(names = "--ca-dir", defaultValue = ".fleetwarden/simulator-pki", description = "Fleet PKI folder (default: ${DEFAULT-VALUE}).")
    Path caDir;

    @Option(names = "--server-name", defaultValue = "broker", description = "Name of the server credential (default: ${DEFAULT-VALUE}).")
    String serverName;

    @Option(names = "--hosts", defaultValue = "localhost,127.0.0.1", split = ",",
            description = "Host names / addresses in the server certificate (default: ${DEFAULT-VALUE}).")
    List<String> hosts;

    @Option(names = "--out-dir", description = "Where to write the stores (default: <ca-dir>/server).")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        DeviceKeys.requireValidId("server name", serverName);
        FleetPki pki = FleetPki.openOrCreate(caDir, Clock.systemUTC());
        Path out = outDir == null ? caDir.resolve("server") : outDir;
        Files.createDirectories(out);
        Path keystore = out.resolve(serverName + "-keystore.p12");
        Path truststore = out.resolve(serverName + "-truststore.p12");
        secret(out.resolve(serverName + "-keystore.password"), FleetPki.writeKeyStore(keystore, pki.server(serverName, hosts)));
        secret(out.resolve(serverName + "-truststore.password"), pki.writeTrustStore(truststore));
        System.out.println("fleet CA certificate: " + pki.caCertificateFile().toAbsolutePath());
        System.out.println("server key store:     " + keystore.toAbsolutePath() + " (password in " + serverName + "-keystore.password)");
        System.out.println("trust store:          " + truststore.toAbsolutePath() + " (password in " + serverName + "-truststore.password)");
        return 0;
    }

    private static void secret(Path file, char[] password) throws Exception {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, new String(password), StandardCharsets.US_ASCII);
        Arrays.fill(password, '\0');
    }
}
