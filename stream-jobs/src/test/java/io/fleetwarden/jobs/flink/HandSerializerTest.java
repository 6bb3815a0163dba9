package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.avro.Schema;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.alerts.StatusSignal;
import io.fleetwarden.jobs.detect.BehaviourRules;
import io.fleetwarden.jobs.detect.DeviceReport;
import io.fleetwarden.jobs.detect.DeviceSecurityEvent;
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
 * equal (all fields set, all nullable fields null, empty lists), records back to back do not bleed into each
 * other, and a test fails here when the event-model schema gains a field the rules' records neither read nor list as
 * not read.
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
        StatusSignal fromReport = StatusSignal.of(DeviceReport.of(Events.telemetry("cam-1", T0).build()));
        fromReport.key = "acme/cam-1";
        StatusSignal fromDisconnect = StatusSignal.of(DeviceSecurityEvent.of(Events.security(SecurityEventType.DISCONNECT,
                SecurityEventReasons.CLIENT_DISCONNECT, T0, "cam-1", "198.51.100.7").setModel(null).setRegion(null).build()));
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
    void theRuleRecordsKnowEveryFieldOfTheSchemaAndReadOrListEach() {
        assertThat(names(Telemetry.getClassSchema())).isEqualTo(DeviceEventSerializer.TELEMETRY_FIELDS);
        assertThat(names(BrokerContext.getClassSchema())).isEqualTo(DeviceEventSerializer.BROKER_FIELDS);
        assertThat(names(NetworkConnection.getClassSchema())).isEqualTo(DeviceEventSerializer.CONNECTION_FIELDS);
        assertThat(names(UpdateStatus.getClassSchema())).isEqualTo(DeviceEventSerializer.UPDATE_FIELDS);
        assertThat(names(io.fleetwarden.model.SecurityEvent.getClassSchema())).isEqualTo(DeviceEventSerializer.SECURITY_FIELDS);
        assertThat(DeviceEventSerializer.TELEMETRY_FIELDS).containsAll(DeviceReport.TELEMETRY_NOT_READ);
        assertThat(DeviceEventSerializer.BROKER_FIELDS).containsAll(DeviceReport.BROKER_NOT_READ);
        assertThat(DeviceEventSerializer.CONNECTION_FIELDS).containsAll(DeviceReport.CONNECTION_NOT_READ);
        assertThat(DeviceEventSerializer.UPDATE_FIELDS).containsAll(DeviceReport.UPDATE_NOT_READ);
        assertThat(DeviceEventSerializer.SECURITY_FIELDS).containsAll(DeviceSecurityEvent.SECURITY_NOT_READ);
        assertThat(DeviceEventSerializer.BROKER_FIELDS).containsAll(DeviceSecurityEvent.BROKER_NOT_READ);
    }

    @Test
    void deviceEventsComeBackEqual() throws Exception {
        Telemetry full = Events.telemetry("cam-1", T0).setUpdate(new UpdateStatus(UpdateState.FAILED, "2.5.0", 3, "disk full"))
                .setListeningPorts(List.of(80, 23, 65535)).setQuarantined(true).setCpuPercent(99.5).setPacketsIn(-1).build();
        full.getBroker().setCertificateFingerprint("ab".repeat(32));
        full.getBroker().setCertificateSerial("0f1e");
        full.getBroker().setRegisteredModel("cam-x9");
        full.getBroker().setRegisteredRegion("ap-south");
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

        DeviceEvent boot = new DeviceEvent();
        boot.key = "acme/cam-1";
        boot.lifecycle = io.fleetwarden.jobs.detect.Lifecycles.read(io.fleetwarden.jobs.detect.Lifecycles.boot("cam-1", T0));
        DeviceEvent update = new DeviceEvent();
        update.key = "acme/cam-1";
        update.lifecycle = io.fleetwarden.jobs.detect.Lifecycles.read(io.fleetwarden.jobs.detect.Lifecycles.updateResult("cam-1", T0, "FAILED"));
        List<DeviceEvent> in = List.of(DeviceEvent.of(full), DeviceEvent.of(sparse), DeviceEvent.of(noUpdateState), DeviceEvent.of(security),
                DeviceEvent.of(richSecurity), DeviceEvent.of(bareSecurity), boot, update);
        List<DeviceEvent> out = roundTrip(new DeviceEventSerializer(), in);
        for (int i = 0; i < in.size(); i++) {
            assertThat(out.get(i).key).isEqualTo(in.get(i).key);
            assertThat(out.get(i).report).isEqualTo(in.get(i).report);
            assertThat(out.get(i).security).isEqualTo(in.get(i).security);
            assertThat(out.get(i).lifecycle).isEqualTo(in.get(i).lifecycle);
        }
        assertThat(out.get(0).report.cpuPercent()).isEqualTo(99.5);
        assertThat(out.get(7).lifecycle.updateFailed()).isTrue();
        assertThat(out.get(0).report.deviceTime()).isEqualTo(T0);
        assertThat(out.get(0).report.certificateNotAfter()).isEqualTo(full.getBroker().getCertificateNotAfter().toEpochMilli());
        assertThat(out.get(0).report.update()).isEqualTo(new DeviceReport.Update(UpdateState.FAILED, "2.5.0", 3));
        assertThat(out.get(0).report.destinations()).isEqualTo(full.getConnections().stream().map(NetworkConnection::getRemoteAddress).toList());
        assertThat(out.get(1).report.sourceAddress()).isNull();
        assertThat(out.get(1).report.certificateNotAfter()).isEqualTo(Long.MIN_VALUE);
        assertThat(out.get(5).security.sourceAddress()).isNull();
        assertThat(new DeviceEventSerializer().copy(in.get(0)).report).as("a copy is equal").isEqualTo(in.get(0).report);
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
            assertThat(out.get(i).report.model()).isEqualTo(in.get(i).report.model());
            assertThat(out.get(i).report.region()).isEqualTo(in.get(i).report.region());
        }
        DeviceEventSerializer s = new DeviceEventSerializer();
        List<DeviceEvent> twice = roundTrip(s, List.of(in.get(0), in.get(0)));
        assertThat(twice.get(1).report.model()).isSameAs(twice.get(0).report.model());
        assertThat(twice.get(1).report.deviceId()).as("device ids are not shared").isNotSameAs(twice.get(0).report.deviceId());
    }

    @Test
    void peerObservationsAndHealthPointsComeBackEqual() throws Exception {
        Telemetry t = Events.telemetry("cam-1", T0).setListeningPorts(List.of(80, 23)).build();
        PeerObservation o = BehaviourRules.observation(DeviceReport.of(t));
        o.messagesPerMinute = 37;
        o.ownRateReady = true;
        o.teachesPeers = false;
        o.trafficOwnKnown = true;
        o.trafficOwnHigh = true;
        o.resourcesOwn = PeerObservation.OWN_KNOWN | PeerObservation.OWN_CPU_HIGH;
        o.hourStart = T0 - 3_600_000L;
        o.hourBytesOut = 1234.5;
        o.region = "eu-west";
        PeerObservation back = roundTrip(new PeerObservationSerializer(), List.of(o, o)).get(1);
        assertThat(back).usingRecursiveComparison().isEqualTo(o);
        PeerObservation noHour = BehaviourRules.observation(DeviceReport.of(t));
        assertThat(roundTrip(new PeerObservationSerializer(), List.of(o, noHour)).get(1)).as("no closed hour: no hour fields")
                .usingRecursiveComparison().withComparatorForType(Double::compare, Double.class).isEqualTo(noHour); // NaN == NaN

        PeerObservation other = BehaviourRules.observation(DeviceReport.of(Events.telemetry("cam-2", T0 + 1).setListeningPorts(List.of()).build()));
        other.listeningPorts = null;
        PeerBatch batch = ModelPeerFunctionTest.batch(o, other);
        PeerBatch batchBack = roundTrip(new PeerBatchSerializer(), List.of(batch, batch)).get(1);
        assertThat(batchBack.tenant).isEqualTo(o.tenant);
        assertThat(batchBack.model).isEqualTo(o.model);
        assertThat(batchBack.size()).isEqualTo(2);
        assertThat(batchBack.observations()).usingRecursiveFieldByFieldElementComparator(
                        org.assertj.core.api.recursive.comparison.RecursiveComparisonConfiguration.builder().withIgnoredFields("key")
                                .withComparatorForType(Double::compare, Double.class).build()) // NaN == NaN: no closed hour
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
