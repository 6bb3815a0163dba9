package io.fleetwarden.jobs.alerts;

import java.lang.reflect.Type;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import io.fleetwarden.jobs.flink.HandSerializedTypeInfo;
import io.fleetwarden.jobs.flink.StatusSignalSerializer;
import io.fleetwarden.jobs.detect.DeviceReport;
import io.fleetwarden.jobs.detect.DeviceSecurityEvent;
import io.fleetwarden.model.SecurityEventType;

/**
 * A fact about a device's state: from telemetry (seen, firmware) or a connect/disconnect. Crosses the
 * shuffle to the device-status operator with the hand-written {@link StatusSignalSerializer}.
 */
@TypeInfo(StatusSignal.TypeInfoFactory.class)
public class StatusSignal {

    /** Attaches {@link StatusSignalSerializer} wherever Flink derives this type's information. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<StatusSignal> {
        @Override
        public TypeInformation<StatusSignal> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new HandSerializedTypeInfo<>(StatusSignal.class, StatusSignalSerializer::new);
        }
    }

    /** Device key ({@code tenant/deviceId}) when the sender knows it already (the per-device operator), else null. */
    public String key;
    public String tenant;
    public String deviceId;
    public long timestamp;
    public String model;
    public String region;
    public String firmwareVersion;
    public String brokerId;
    public String sourceAddress;
    /** null when the signal says nothing about the connection. */
    public Boolean connected;
    public boolean telemetry;
    public long certificateNotAfter = Long.MIN_VALUE;
    /** Set (instead of any fact) when the device was erased at this time: its status is dropped. */
    public long erasedAt = Long.MIN_VALUE;

    public StatusSignal() {
    }

    public static StatusSignal of(DeviceReport t) {
        StatusSignal s = new StatusSignal();
        s.tenant = t.tenant();
        s.deviceId = t.deviceId();
        s.timestamp = t.deviceTime();
        s.model = t.model();
        s.region = t.region();
        s.firmwareVersion = t.firmwareVersion();
        s.telemetry = true;
        s.connected = true;
        s.brokerId = t.brokerId();
        s.sourceAddress = t.sourceAddress();
        s.certificateNotAfter = t.certificateNotAfter();
        return s;
    }

    /** A signal from a connect or disconnect of a verified device, or null for other events. */
    public static StatusSignal of(DeviceSecurityEvent e) {
        if (e.type() != SecurityEventType.CONNECT && e.type() != SecurityEventType.DISCONNECT) {
            return null;
        }
        StatusSignal s = new StatusSignal();
        s.tenant = e.tenant();
        s.deviceId = e.deviceId();
        s.timestamp = e.timestamp();
        s.model = e.model();
        s.region = e.region();
        s.connected = e.type() == SecurityEventType.CONNECT;
        s.brokerId = e.brokerId();
        s.sourceAddress = e.sourceAddress();
        return s;
    }
}
