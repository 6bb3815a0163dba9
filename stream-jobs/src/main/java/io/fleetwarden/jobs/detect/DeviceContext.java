package io.fleetwarden.jobs.detect;

import java.util.List;

import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;

/**
 * What the per-device operator lends a {@link DeviceRule} besides the record: the reference data (firmware
 * catalog, advisories) and the job's keyed digest. Read-only.
 */
public interface DeviceContext {

    /** The catalog entry of {@code model}, or null. */
    FirmwareCatalogEntry catalog(String model);

    /**
     * The catalog entry of a model other than {@code model} with a release whose image hash is {@code imageHash}, or
     * null. May walk every entry: ask only when the device's own model does not know the image.
     */
    default FirmwareCatalogEntry otherModelWithImage(String model, String imageHash) {
        return null;
    }

    /** The advisories in force (withdrawn ones included, flagged); the same instance until they change. */
    List<Advisory> advisories();

    /**
     * Version of the reference data: a different number whenever the catalog or the advisories changed since
     * another call returned it (a stamp, not a digest of the content: two different reference sets never share
     * one within an operator instance; a new instance starts from a random 64-bit number).
     */
    long referenceVersion();

    /** The job's keyed digest, for remembering device-controlled values in fixed space. */
    KeyedDigest digest();

    /** A fixed context (tests, and callers without a Flink operator). */
    static DeviceContext of(FirmwareCatalogEntry catalog, List<Advisory> advisories, long referenceVersion, KeyedDigest digest) {
        List<Advisory> list = advisories == null ? List.of() : advisories;
        return new DeviceContext() {
            @Override
            public FirmwareCatalogEntry catalog(String model) {
                return catalog != null && catalog.getModel().equals(model) ? catalog : null;
            }

            @Override
            public List<Advisory> advisories() {
                return list;
            }

            @Override
            public long referenceVersion() {
                return referenceVersion;
            }

            @Override
            public KeyedDigest digest() {
                return digest;
            }
        };
    }
}
