package io.fleetwarden.jobs.flink;

import java.lang.reflect.Type;
import java.util.Map;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;

import io.fleetwarden.jobs.detect.DeviceLifecycle;
import io.fleetwarden.jobs.detect.DeviceReport;
import io.fleetwarden.jobs.detect.DeviceSecurityEvent;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;

/**
 * One input of the per-device operator: exactly one of {@link #report} (what the rules read of a telemetry
 * report), {@link #security} (of a verified security event) or {@link #lifecycle} (of a lifecycle event) is set. Crosses the one shuffle to {@link DeviceFunction} with the hand-written
 * {@link DeviceEventSerializer} (no Kryo, and not the generic POJO/Avro serializers, see there).
 */
@TypeInfo(DeviceEvent.TypeInfoFactory.class)
public class DeviceEvent {

    /** Attaches {@link DeviceEventSerializer} wherever Flink derives this type's information. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<DeviceEvent> {
        @Override
        public TypeInformation<DeviceEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new HandSerializedTypeInfo<>(DeviceEvent.class, DeviceEventSerializer::new);
        }
    }

    /** Computed (and validated) once where the event enters, not again by every key selector call. */
    public String key;
    public DeviceReport report;
    public DeviceSecurityEvent security;
    /** For an erasure of the device (neither report nor security event): when it was erased; else Long.MIN_VALUE. */
    public long erasedAt = Long.MIN_VALUE;
    public DeviceLifecycle lifecycle;

    public DeviceEvent() {
    }

    public static DeviceEvent of(Telemetry t) {
        DeviceEvent e = new DeviceEvent();
        e.report = DeviceReport.of(t);
        e.key = FleetDetectionJob.deviceKey(t);
        return e;
    }

    public static DeviceEvent of(SecurityEvent s) {
        DeviceEvent e = new DeviceEvent();
        e.security = DeviceSecurityEvent.of(s);
        e.key = FleetDetectionJob.deviceKey(s);
        return e;
    }

    /** Wraps telemetry into device events in the topology (device key computed once, here). */
    static final class FromTelemetry implements MapFunction<Telemetry, DeviceEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public DeviceEvent map(Telemetry t) {
            DeviceEvent e = new DeviceEvent();
            e.key = DeviceKeys.of(t.getTenant(), t.getDeviceId());
            e.report = DeviceReport.of(t);
            return e;
        }
    }

    /**
     * Verified security events (valid tenant and device id) as device events; the others are dropped here
     * (they only count per claimed identity or address, in the burst stage).
     */
    static final class FromVerifiedSecurityEvent implements FlatMapFunction<SecurityEvent, DeviceEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(SecurityEvent s, Collector<DeviceEvent> out) {
            String key = DeviceKeys.ofValid(s.getTenant(), s.getDeviceId());
            if (key != null) {
                DeviceEvent e = new DeviceEvent();
                e.security = DeviceSecurityEvent.of(s);
                e.key = key;
                out.collect(e);
            }
        }
    }

    /**
     * Erasure records as device events (the device's keyed state is dropped where the device is keyed). Records of a
     * reserved scope ({@code _...}) or with invalid ids are skipped: no device lives there.
     */
    static final class FromErasure implements FlatMapFunction<io.fleetwarden.model.DeviceErasure, DeviceEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(io.fleetwarden.model.DeviceErasure d, Collector<DeviceEvent> out) {
            if (d == null || d.erasedAt() == null || d.tenant() == null || d.tenant().startsWith("_")) {
                return;
            }
            String key = DeviceKeys.ofValid(d.tenant(), d.deviceId());
            if (key != null) {
                DeviceEvent e = new DeviceEvent();
                e.key = key;
                e.erasedAt = d.erasedAt().toEpochMilli();
                out.collect(e);
            }
        }
    }

    /**
     * Lifecycle events ({@code fleet.device-events}) as device events, with their bounded event time as the
     * record's timestamp; events without a valid tenant and device id are dropped (the broker always sets them
     * from the certificate, so such a record is not a device's).
     */
    static final class FromLifecycleEvent extends org.apache.flink.streaming.api.functions.ProcessFunction<DeviceLifecycleEvent, DeviceEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(DeviceLifecycleEvent l, Context ctx, Collector<DeviceEvent> out) {
            String key = DeviceKeys.ofValid(l.getTenant(), l.getDeviceId());
            if (key != null) {
                Long ts = ctx.timestamp();
                DeviceEvent e = new DeviceEvent();
                e.lifecycle = DeviceLifecycle.of(l, ts != null ? ts : l.getReceivedAt().toEpochMilli());
                e.key = key;
                out.collect(e);
            }
        }
    }

    /** Whether this is an erasure of the device. */
    public boolean isErasure() {
        return report == null && security == null && lifecycle == null && erasedAt != Long.MIN_VALUE;
    }

    /** The device key ({@code tenant/deviceId}) of whichever event this holds. */
    public String deviceKey() {
        return key;
    }
}
