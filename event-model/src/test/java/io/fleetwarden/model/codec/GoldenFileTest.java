package io.fleetwarden.model.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.fleetwarden.model.Samples;
import io.fleetwarden.model.Telemetry;

/**
 * Pins the wire format: each sample record must encode to exactly the bytes in
 * {@code src/test/resources/golden/}, and those bytes must decode back to the sample. A change here
 * means every consumer in production would see different bytes; if it is intended, add the old
 * schema to {@code avro-history/} and regenerate with {@code -Dgolden.update=true}.
 */
class GoldenFileTest {

    private static final Path GOLDEN_SOURCE = Path.of("src/test/resources/golden");

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of("telemetry-v3", Codecs.TELEMETRY, Samples.telemetry()),
                Arguments.of("security-event-v2", Codecs.SECURITY_EVENT, Samples.securityEvent()),
                Arguments.of("alert-v1", Codecs.ALERT, Samples.alert()),
                Arguments.of("device-control-v1", Codecs.DEVICE_CONTROL, Samples.deviceControl()),
                Arguments.of("firmware-catalog-v1", Codecs.FIRMWARE_CATALOG, Samples.firmwareCatalogEntry()),
                Arguments.of("advisory-v1", Codecs.ADVISORY, Samples.advisory()),
                Arguments.of("device-status-v1", Codecs.DEVICE_STATUS, Samples.deviceStatus()),
                Arguments.of("device-event-v2", Codecs.DEVICE_EVENT, Samples.deviceLifecycleEvent()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    <T extends SpecificRecord> void encodingMatchesGoldenFile(String name, AvroCodec<T> codec, T sample) throws Exception {
        byte[] encoded = codec.encode(sample);
        if (Boolean.getBoolean("golden.update")) {
            writeGolden(name, encoded);
        }
        byte[] golden = readGolden(name);
        assertThat(HexFormat.of().formatHex(encoded)).as("encoding of %s", name)
                .isEqualTo(HexFormat.of().formatHex(golden));
        assertThat(codec.decode(golden)).isEqualTo(sample);
    }

    /**
     * Records written before the broker context carried the registered model and region (telemetry v2, security event
     * v1, device event v1) still read, the registered fields null.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("beforeRegistry")
    <T extends SpecificRecord> void recordsWrittenBeforeTheRegistryStillRead(String name, AvroCodec<T> codec, T expected)
            throws Exception {
        assertThat(codec.decode(readGolden(name))).isEqualTo(expected);
    }

    static Stream<Arguments> beforeRegistry() {
        io.fleetwarden.model.BrokerContext unregistered = io.fleetwarden.model.BrokerContext.newBuilder(Samples.broker())
                .setRegisteredModel(null).setRegisteredRegion(null).build();
        return Stream.of(
                Arguments.of("telemetry-v2", Codecs.TELEMETRY,
                        Telemetry.newBuilder(Samples.telemetry()).setBroker(unregistered).build()),
                Arguments.of("security-event-v1", Codecs.SECURITY_EVENT,
                        io.fleetwarden.model.SecurityEvent.newBuilder(Samples.securityEvent()).setBroker(unregistered).build()),
                Arguments.of("device-event-v1", Codecs.DEVICE_EVENT,
                        io.fleetwarden.model.DeviceLifecycleEvent.newBuilder(Samples.deviceLifecycleEvent())
                                .setBroker(unregistered).build()));
    }

    /** A telemetry record written by schema version 1 (before region, update and quarantine existed) still reads. */
    @Test
    void telemetryWrittenWithSchemaV1StillReads() throws Exception {
        Schema v1 = Codecs.history("Telemetry").get(0);
        if (Boolean.getBoolean("golden.update")) {
            writeGolden("telemetry-v1", encodeWithV1(v1));
        }
        byte[] golden = readGolden("telemetry-v1");
        assertThat(golden).isEqualTo(encodeWithV1(v1));

        Telemetry read = Codecs.TELEMETRY.decode(golden);

        Telemetry expected = Telemetry.newBuilder(Samples.telemetry())
                .setRegion(null).setUpdate(null).setQuarantined(false)
                .setBroker(io.fleetwarden.model.BrokerContext.newBuilder(Samples.broker())
                        .setRegisteredModel(null).setRegisteredRegion(null).build())
                .build();
        assertThat(read).isEqualTo(expected);
        assertThat(Codecs.TELEMETRY.fingerprint()).isNotEqualTo(
                org.apache.avro.SchemaNormalization.parsingFingerprint64(v1));
    }

    private static byte[] encodeWithV1(Schema v1) throws IOException {
        Telemetry current = Samples.telemetry();
        GenericRecord old = new GenericData.Record(v1);
        for (Schema.Field field : v1.getFields()) {
            Object value = current.get(field.name());
            old.put(field.name(), toGeneric(value, field.schema()));
        }
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new org.apache.avro.data.TimeConversions.TimestampMillisConversion());
        BinaryMessageEncoder<GenericRecord> encoder = new BinaryMessageEncoder<>(model, v1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        encoder.encode(old, out);
        return out.toByteArray();
    }

    private static Object toGeneric(Object value, Schema schema) {
        if (value instanceof SpecificRecord specific) {
            Schema recordSchema = schema.getType() == Schema.Type.UNION
                    ? schema.getTypes().stream().filter(s -> s.getType() == Schema.Type.RECORD).findFirst().orElseThrow()
                    : schema;
            GenericRecord record = new GenericData.Record(recordSchema);
            for (Schema.Field f : recordSchema.getFields()) {
                record.put(f.name(), toGeneric(specific.get(specific.getSchema().getField(f.name()).pos()), f.schema()));
            }
            return record;
        }
        if (value instanceof List<?> list && schema.getType() == Schema.Type.ARRAY) {
            return list.stream().map(v -> toGeneric(v, schema.getElementType())).toList();
        }
        if (value instanceof Instant) {
            return value;
        }
        return value;
    }

    private static byte[] readGolden(String name) throws IOException {
        try (InputStream in = GoldenFileTest.class.getResourceAsStream("/golden/" + name + ".hex")) {
            if (in == null) {
                fail("golden file golden/" + name + ".hex missing; generate it with -Dgolden.update=true");
            }
            String hex = new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("\\s", "");
            return HexFormat.of().parseHex(hex);
        }
    }

    private static void writeGolden(String name, byte[] bytes) throws IOException {
        Files.createDirectories(GOLDEN_SOURCE);
        String hex = HexFormat.of().formatHex(bytes);
        StringBuilder wrapped = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 64) {
            wrapped.append(hex, i, Math.min(hex.length(), i + 64)).append('\n');
        }
        Files.writeString(GOLDEN_SOURCE.resolve(name + ".hex"), wrapped);
    }
}
