package io.fleetwarden.dashboard.posture;

import java.time.Instant;
import java.util.List;

import io.fleetwarden.dashboard.posture.Evidence.RecordRef;

/**
 * What the platform has observed about one device, summarised from {@code fleet.telemetry} and
 * {@code fleet.security-events}: counters and the provenance of the latest relevant record per fact.
 * Memory is bounded per device (fixed fields, the listening-port list capped), whatever the device
 * sends. Times are broker receive times. Guarded by its own monitor; read through {@link #copy()}.
 */
final class DeviceEvidence {

    static final int MAX_PORTS = 64;

    // telemetry
    long telemetry;
    RecordRef firstTelemetry;
    RecordRef lastTelemetry;
    String model;
    String firmwareVersion;
    String imageHash;
    RecordRef imageHashRef;
    List<Integer> listeningPorts = List.of();
    // TLS parameters of telemetry records and connections
    long tlsGood;
    long tlsBad;
    RecordRef lastTlsGood;
    RecordRef lastTlsBad;
    String badProtocol;
    String badCipher;
    // connections
    long connects;
    long disconnects;
    long connectsWithUsername;
    RecordRef lastConnect;
    RecordRef lastDisconnect;
    String lastDisconnectReason;
    RecordRef recoveredFrom;
    RecordRef recovery;
    // refusals attributed to the verified identity
    long defaultCredentialAttempts;
    RecordRef lastDefaultCredential;
    long validationFailures;
    RecordRef lastValidationFailure;
    String lastValidationReason;
    // updates
    long updatesSucceeded;
    long updatesFailed;
    String lastFailedAttempt;
    RecordRef lastUpdate;
    String lastUpdateState;
    String lastUpdateTarget;
    // certificate
    Instant certificateNotAfter;
    RecordRef certificateRef;
    Instant renewedFrom;
    RecordRef renewal;
    boolean renewedAhead;

    synchronized DeviceEvidence copy() {
        DeviceEvidence c = new DeviceEvidence();
        c.telemetry = telemetry;
        c.firstTelemetry = firstTelemetry;
        c.lastTelemetry = lastTelemetry;
        c.model = model;
        c.firmwareVersion = firmwareVersion;
        c.imageHash = imageHash;
        c.imageHashRef = imageHashRef;
        c.listeningPorts = listeningPorts;
        c.tlsGood = tlsGood;
        c.tlsBad = tlsBad;
        c.lastTlsGood = lastTlsGood;
        c.lastTlsBad = lastTlsBad;
        c.badProtocol = badProtocol;
        c.badCipher = badCipher;
        c.connects = connects;
        c.disconnects = disconnects;
        c.connectsWithUsername = connectsWithUsername;
        c.lastConnect = lastConnect;
        c.lastDisconnect = lastDisconnect;
        c.lastDisconnectReason = lastDisconnectReason;
        c.recoveredFrom = recoveredFrom;
        c.recovery = recovery;
        c.defaultCredentialAttempts = defaultCredentialAttempts;
        c.lastDefaultCredential = lastDefaultCredential;
        c.validationFailures = validationFailures;
        c.lastValidationFailure = lastValidationFailure;
        c.lastValidationReason = lastValidationReason;
        c.updatesSucceeded = updatesSucceeded;
        c.updatesFailed = updatesFailed;
        c.lastFailedAttempt = lastFailedAttempt;
        c.lastUpdate = lastUpdate;
        c.lastUpdateState = lastUpdateState;
        c.lastUpdateTarget = lastUpdateTarget;
        c.certificateNotAfter = certificateNotAfter;
        c.certificateRef = certificateRef;
        c.renewedFrom = renewedFrom;
        c.renewal = renewal;
        c.renewedAhead = renewedAhead;
        return c;
    }

    /** Whether any record of the device was seen. */
    boolean any() {
        return telemetry > 0 || connects > 0 || disconnects > 0 || defaultCredentialAttempts > 0 || validationFailures > 0
                || tlsBad > 0;
    }
}
