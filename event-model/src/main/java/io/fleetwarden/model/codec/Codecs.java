package io.fleetwarden.model.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertTriage;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;

/**
 * One shared codec per record type. The codecs are immutable and thread-safe.
 *
 * <p>Historic schemas live in {@code src/main/resources/avro-history/<Type>-v<N>.avsc}; list them in
 * {@link #HISTORY} when a schema changes so that records already in Kafka keep reading.
 */
public final class Codecs {

    /** Historic schema versions per type, oldest first. The current version is the generated class. */
    static final List<String> HISTORY = List.of("Telemetry-v1", "Telemetry-v2", "SecurityEvent-v1",
            "DeviceLifecycleEvent-v1");

    public static final AvroCodec<Telemetry> TELEMETRY = of(Telemetry.class, Telemetry.getClassSchema());
    public static final AvroCodec<SecurityEvent> SECURITY_EVENT = of(SecurityEvent.class, SecurityEvent.getClassSchema());
    public static final AvroCodec<Alert> ALERT = of(Alert.class, Alert.getClassSchema());
    public static final AvroCodec<DeviceControl> DEVICE_CONTROL = of(DeviceControl.class, DeviceControl.getClassSchema());
    public static final AvroCodec<FirmwareCatalogEntry> FIRMWARE_CATALOG =
            of(FirmwareCatalogEntry.class, FirmwareCatalogEntry.getClassSchema());
    public static final AvroCodec<Advisory> ADVISORY = of(Advisory.class, Advisory.getClassSchema());
    public static final AvroCodec<DeviceStatus> DEVICE_STATUS = of(DeviceStatus.class, DeviceStatus.getClassSchema());
    public static final AvroCodec<DeviceLifecycleEvent> DEVICE_EVENT =
            of(DeviceLifecycleEvent.class, DeviceLifecycleEvent.getClassSchema());
    public static final AvroCodec<AlertTriage> ALERT_TRIAGE = of(AlertTriage.class, AlertTriage.getClassSchema());

    private Codecs() {
    }

    private static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, Schema current) {
        return new AvroCodec<>(type, current, history(type.getSimpleName()));
    }

    /** Parses the historic schemas of one record type from the classpath. */
    static List<Schema> history(String simpleName) {
        List<Schema> schemas = new ArrayList<>();
        for (String name : HISTORY) {
            if (!name.startsWith(simpleName + "-v")) {
                continue;
            }
            String resource = "/avro-history/" + name + ".avsc";
            try (InputStream in = Codecs.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing historic schema " + resource);
                }
                schemas.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
        return List.copyOf(schemas);
    }
}
