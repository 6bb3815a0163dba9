package io.fleetwarden.simulator.kafka;

import java.util.List;

import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;

/**
 * Where the simulator publishes the vendor-side facts (firmware catalog, advisories) that a real
 * platform would receive from vendors. {@link #NONE} is used when no Kafka is given.
 */
public interface PlatformFeed extends AutoCloseable {

    /** Publishes catalog entries and waits until they are acknowledged. */
    void publishCatalog(List<FirmwareCatalogEntry> entries);

    /** Publishes advisories and waits until they are acknowledged. */
    void publishAdvisories(List<Advisory> advisories);

    /** Whether publishing reaches anything. */
    boolean enabled();

    @Override
    void close();

    /** A feed that publishes nothing. */
    PlatformFeed NONE = new PlatformFeed() {
        @Override
        public void publishCatalog(List<FirmwareCatalogEntry> entries) {
        }

        @Override
        public void publishAdvisories(List<Advisory> advisories) {
        }

        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void close() {
        }
    };
}
