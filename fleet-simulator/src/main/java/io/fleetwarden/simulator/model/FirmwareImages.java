package io.fleetwarden.simulator.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Image hashes of simulated firmware. A genuine image's hash is a pure function of model and
 * version, so the catalog and the devices agree without sharing state; a tampered image hashes
 * differently.
 */
public final class FirmwareImages {

    private FirmwareImages() {
    }

    /** Lowercase hex SHA-256 of the genuine image of {@code model} at {@code version}. */
    public static String genuineHash(String model, String version) {
        return sha256("fleetwarden-sim-image:" + model + ":" + version);
    }

    /** Hash of a tampered image (same version string, different content). */
    public static String tamperedHash(String model, String version, long seed) {
        return sha256("tampered:" + model + ":" + version + ":" + seed);
    }

    private static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}
