package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.alerts.StatusSignal;
import io.fleetwarden.jobs.detect.BehaviourRules;
import io.fleetwarden.jobs.detect.PeerObservation;
import io.fleetwarden.jobs.influx.HealthPoint;
import io.fleetwarden.jobs.influx.InfluxPoints;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.NetworkConnection;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;

/**
 * The hand-written network serializers: Flink picks them up for the types, every record comes back
 * equal (all fields set, all nullable fields null, empty lists; telemetry as its projection), records back to
 * back do not bleed into each other, and the telemetry serializer fails here when the event-model schema gains a
 * field it neither sends nor lists as not sent.
 */
class HandSerializerTest {

    @Test
    void flinkUsesTheHandWrittenSerializers() {
        assertThat(serializer(DeviceEvent.class)).isInstanceOf(DeviceEventSerializer.class);
        assertThat(serializer(PeerObservation.class)).isInstanceOf(PeerObservationSerializer.class);
        assertThat(serializer(PeerBatch.class)).isInstanceOf(PeerBatchSerializer.class);
        assertThat(serializer(HealthPoint.class)).isInstanceOf(HealthPointSerializer.class);
        assertThat(serializer(StatusSignal.class)).isInstanceOf(StatusSignalSerializer.class);
        assertThat(serializer(SubjectEvent.class)).isInstanceOf(SubjectEventSerializer.class);
    }

    @Test
    void subjectEventsComeBackEqual() throws Exception {
        var e = Events.authFailure("cam-7", "198.51.100.9", T0);
        List<SubjectEvent> in = io.fleetwarden.jobs.detect.SecuritySubject.of(e).stream().map(s -> new SubjectEvent(s, e)).toList();
        assertThat(in).hasSize(2);
        List<SubjectEvent> out = roundTrip(new SubjectEventSerializer(), in);
        for (int i = 0; i < in.size(); i++) {
            assertThat(out.get(i)).usingRecursiveComparison().isEqualTo(in.get(i));
            assertThat(out.get(i).event).isEqualTo(e);
        }
    }

    @Test
    void statusSignalsComeBackEqual() throws Exception {
        StatusSignal fromReport = StatusSignal.of(Events.telemetry("cam-1", T0).build());
        fromReport.key = "acme/cam-1";
        StatusSignal fromDisconnect = StatusSignal.of(Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.CLIENT_DISCONNECT, T0,
                "cam-1", "198.51.100.7").setModel(null).setRegion(null).build());
        StatusSignal empty = new StatusSignal();
        List<StatusSignal> in = List.of(fromReport, fromDisconnect, empty);
        List<StatusSignal> out = roundTrip(new StatusSignalSerializer(), in);
        for (int i = 0; i < in.size(); i++) {
            assertThat(out.get(i)).usingRecursiveComparison().isEqualTo(in.get(i));
        }
        assertThat(out.get(1).connected).isFalse();
        assertThat(out.get(2).connected).isNull();
    }

    @Test
    void theTelemetrySerializerKnowsEveryFieldOfTheSchemaAndSendsOrListsEach() {
        assertThat(names(Telemetry.getClassSchema())).isEqualTo(DeviceEventSerializer.TELEMETRY_FIELDS);
        assertThat(names(BrokerContext.getClassSchema())).isEqualTo(DeviceEventSerializer.BROKER_FIELDS);
        assertThat(names(NetworkConnection.getClassSchema())).isEqualTo(DeviceEventSerializer.CONNECTION_FIELDS);
        assertThat(names(UpdateStatus.getClassSchema())).isEqualTo(DeviceEventSerializer.UPDATE_FIELDS);
        assertThat(names(io.fleetwarden.model.SecurityEvent.getClassSchema())).isEqualTo(DeviceEventSerializer.SECURITY_FIELDS);
        assertThat(DeviceEventSerializer.TELEMETRY_FIELDS).containsAll(DeviceEventSerializer.TELEMETRY_NOT_SENT);
        assertThat(DeviceEventSerializer.BROKER_FIELDS).containsAll(DeviceEventSerializer.TELEMETRY_BROKER_NOT_SENT);
        assertThat(DeviceEventSerializer.CONNECTION_FIELDS).containsAll(DeviceEventSerializer.CONNECTION_NOT_SENT);
        assertThat(DeviceEventSerializer.UPDATE_FIELDS).containsAll(DeviceEventSerializer.UPDATE_NOT_SENT);
        assertThat(DeviceEventSerializer.SECURITY_FIELDS).containsAll(DeviceEventSerializer.SECURITY_NOT_SENT);
        assertThat(DeviceEventSerializer.BROKER_FIELDS).containsAll(DeviceEventSerializer.SECURITY_BROKER_NOT_SENT);
    }

    /** What the per-device operator receives for {@code t}: the record with every field not sent set to its absent value. */
    static Telemetry projected(Telemetry t) {
        Telemetry p = SpecificData.get().deepCopy(Telemetry.getClassSchema(), t);
        clear(p, DeviceEventSerializer.TELEMETRY_NOT_SENT);
        if (p.getBroker() != null) {
            clear(p.getBroker(), DeviceEventSerializer.TELEMETRY_BROKER_NOT_SENT);
        }
        if (p.getConnections() != null) {
            p.getConnections().forEach(c -> clear(c, DeviceEventSerializer.CONNECTION_NOT_SENT));
        }
        if (p.getUpdate() != null) {
            clear(p.getUpdate(), DeviceEventSerializer.UPDATE_NOT_SENT);
        }
        return p;
    }

    /** What the per-device operator receives for {@code e}. */
    static io.fleetwarden.model.SecurityEvent projected(io.fleetwarden.model.SecurityEvent e) {
        var p = SpecificData.get().deepCopy(io.fleetwarden.model.SecurityEvent.getClassSchema(), e);
        clear(p, DeviceEventSerializer.SECURITY_NOT_SENT);
        if (p.getBroker() != null) {
            clear(p.getBroker(), DeviceEventSerializer.SECURITY_BROKER_NOT_SENT);
        }
        return p;
    }

    private static void clear(SpecificRecordBase r, java.util.Set<String> fields) {
        for (String f : fields) {
            Schema.Field field = r.getSchema().getField(f);
            Object absent = switch (field.schema().getType()) {
                case INT -> 0;
                case LONG -> field.schema().getLogicalType() == null ? (Object) 0L : null;
                case DOUBLE -> 0.0;
                case BOOLEAN -> false;
                default -> null;
            };
            r.put(field.pos(), absent);
        }
    }

    @Test
    void deviceEventsComeBackEqual() throws Exception {
        Telemetry full = Events.telemetry("cam-1", T0).setUpdate(new UpdateStatus(UpdateState.FAILED, "2.5.0", 3, "disk full"))
                .setListeningPorts(List.of(80, 23, 65535)).setQuarantined(true).setCpuPercent(99.5).setPacketsIn(-1).build();
        full.getBroker().setCertificateFingerprint("ab".repeat(32));
        full.getBroker().setCertificateSerial("0f1e");
        Telemetry sparse = Events.telemetry("cam-2", T0 + 1).setRegion(null).setFirmwareImageHash(null).setUpdate(null)
                .setListeningPorts(List.of()).setConnections(List.of())
                .setBroker(BrokerContext.newBuilder().setBrokerId("b-ü").setSourceAddress(null).setSourcePort(null).setTlsProtocol(null)
                        .setTlsCipher(null).setCertificateFingerprint(null).setCertificateSerial(null).setCertificateNotAfter(null)
                        .setMqttVersion(null).build())
                .build();
        Telemetry noUpdateState = Events.telemetry("cam-3", T0).setUpdate(new UpdateStatus(UpdateState.UNKNOWN, null, 0, null)).build();
        var security = Events.security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, T0, "cam-1", "198.51.100.7").build();
        var richSecurity = Events.security(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.TOPIC_NOT_PERMITTED, T0, "cam-2",
                "198.51.100.8").setDetail("détail").setTopic("devices/x/cmd").setUsername("u").setAttributes(java.util.Map.of("a", "1", "b", ""))
                .build();
        var bareSecurity = Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.CLIENT_DISCONNECT, T0, "cam-3", null)
                .setBroker(BrokerContext.newBuilder().setBrokerId("b").build()).build();

        List<DeviceEvent> in = List.of(DeviceEvent.of(full), DeviceEvent.of(sparse), DeviceEvent.of(noUpdateState), DeviceEvent.of(security),
                DeviceEvent.of(richSecurity), DeviceEvent.of(bareSecurity));
        List<DeviceEvent> out = roundTrip(new DeviceEventSerializer(), in);
        for (int i = 0; i < in.size(); i++) {
            assertThat(out.get(i).key).isEqualTo(in.get(i).key);
            assertThat(out.get(i).telemetry).isEqualTo(in.get(i).telemetry == null ? null : projected(in.get(i).telemetry));
            assertThat(out.get(i).security).isEqualTo(in.get(i).security == null ? null : projected(in.get(i).security));
        }
        assertThat(out.get(0).telemetry.getDeviceTime()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(out.get(0).telemetry.getCpuPercent()).as("not sent").isZero();
        assertThat(out.get(0).telemetry.getBroker().getCertificateFingerprint()).as("not sent").isNull();
        assertThat(out.get(0).telemetry.getBroker().getCertificateNotAfter()).as("sent").isEqualTo(full.getBroker().getCertificateNotAfter());
        assertThat(out.get(0).telemetry.getUpdate().getAttempt()).as("sent").isEqualTo(3);
        assertThat(new DeviceEventSerializer().copy(in.get(0)).telemetry).as("a copy is whole").isEqualTo(full).isNotSameAs(full);
        assertThat(new DeviceEventSerializer().copy(out.get(0)).telemetry).as("a projected record copies too").isEqualTo(out.get(0).telemetry);
    }

    @Test
    void stringsOfEveryKindComeBackEqual() throws Exception {
        // Both sides of the short-ASCII path: at and past its length limit, a non-ASCII char first, in the middle and
        // last (after the one-pass copy has filled part of the scratch buffer), Latin-1, CJK and a surrogate pair.
        String ascii128 = "a".repeat(128);
        List<String> strings = java.util.Arrays.asList(null, "", "a", ascii128, ascii128 + "b", "é" + "x".repeat(20),
                "x".repeat(60) + "ü" + "y".repeat(60), "x".repeat(127) + "é", "\u00ff", "日本", "device-\uD83D\uDE00", "\u0141ódź",
                "tail-" + "z".repeat(300) + "é");
        DataOutputSerializer out = new DataOutputSerializer(64);
        HandSerializer<PeerBatch> s = new PeerBatchSerializer();
        for (String str : strings) {
            s.writeString(str, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        for (String str : strings) {
            assertThat(s.readString(in)).isEqualTo(str);
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void sharedStringsAreEqualToTheWrittenOnesAndRepeatsAreOneInstance() throws Exception {
        java.util.Random rnd = new java.util.Random(3);
        List<DeviceEvent> in = new java.util.ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            // Few models (shared), many (colliding) regions, some longer than the table takes, some not ASCII.
            String model = "model-" + rnd.nextInt(8);
            String region = switch (rnd.nextInt(4)) {
                case 0 -> "région-" + rnd.nextInt(3);
                case 1 -> "r".repeat(60 + rnd.nextInt(10));
                default -> "region-" + rnd.nextInt(100_000);
            };
            in.add(DeviceEvent.of(Events.telemetry("cam-" + i, T0 + i).setModel(model).setRegion(region).build()));
        }
        List<DeviceEvent> out = roundTrip(new DeviceEventSerializer(), in);
        for (int i = 0; i < in.size(); i++) {
            assertThat(out.get(i).telemetry.getModel()).isEqualTo(in.get(i).telemetry.getModel());
            assertThat(out.get(i).telemetry.getRegion()).isEqualTo(in.get(i).telemetry.getRegion());
        }
        DeviceEventSerializer s = new DeviceEventSerializer();
        List<DeviceEvent> twice = roundTrip(s, List.of(in.get(0), in.get(0)));
        assertThat(twice.get(1).telemetry.getModel()).isSameAs(twice.get(0).telemetry.getModel());
        assertThat(twice.get(1).telemetry.getDeviceId()).as("device ids are not shared").isNotSameAs(twice.get(0).telemetry.getDeviceId());
    }

    @Test
    void peerObservationsAndHealthPointsComeBackEqual() throws Exception {
        Telemetry t = Events.telemetry("cam-1", T0).setListeningPorts(List.of(80, 23)).build();
        PeerObservation o = BehaviourRules.observation(t);
        PeerObservation back = roundTrip(new PeerObservationSerializer(), List.of(o, o)).get(1);
        assertThat(back).usingRecursiveComparison().isEqualTo(o);

        PeerObservation other = BehaviourRules.observation(Events.telemetry("cam-2", T0 + 1).setListeningPorts(List.of()).build());
        other.listeningPorts = null;
        PeerBatch batch = ModelPeerFunctionTest.batch(o, other);
        PeerBatch batchBack = roundTrip(new PeerBatchSerializer(), List.of(batch, batch)).get(1);
        assertThat(batchBack.tenant).isEqualTo(o.tenant);
        assertThat(batchBack.model).isEqualTo(o.model);
        assertThat(batchBack.size()).isEqualTo(2);
        assertThat(batchBack.observations()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("key")
                .containsExactly(o, other);
        assertThat(batchBack.modelKey()).isEqualTo(o.modelKey());

        HealthPoint p = InfluxPoints.deviceHealth(t);
        HealthPoint pb = roundTrip(new HealthPointSerializer(), List.of(p, p)).get(1);
        assertThat(pb.toString()).isEqualTo(p.toString());
        assertThat(pb).usingRecursiveComparison().isEqualTo(p);
    }

    private static <T> List<T> roundTrip(TypeSerializer<T> s, List<T> values) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (T v : values) {
            s.serialize(v, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        List<T> back = new java.util.ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            back.add(s.deserialize(in));
        }
        assertThat(in.available()).as("every byte read, none over-read").isZero();
        return back;
    }

    private static TypeSerializer<?> serializer(Class<?> type) {
        return TypeInformation.of(type).createSerializer(new SerializerConfigImpl());
    }

    private static List<String> names(Schema schema) {
        return schema.getFields().stream().map(Schema.Field::name).toList();
    }
}
