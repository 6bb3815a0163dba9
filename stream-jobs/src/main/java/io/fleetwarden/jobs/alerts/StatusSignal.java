package io.fleetwarden.jobs.alerts;

import java.lang.reflect.Type;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import io.fleetwarden.jobs.flink.HandSerializedTypeInfo;
import io.fleetwarden.jobs.flink.StatusSignalSerializer;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;

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

    public StatusSignal() {
    }

    public static StatusSignal of(Telemetry t) {
        StatusSignal s = new StatusSignal();
        s.tenant = t.getTenant();
        s.deviceId = t.getDeviceId();
        s.timestamp = t.getDeviceTime().toEpochMilli();
        s.model = t.getModel();
        s.region = t.getRegion();
        s.firmwareVersion = t.getFirmwareVersion();
        s.telemetry = true;
        s.connected = true;
        if (t.getBroker() != null) {
            s.brokerId = t.getBroker().getBrokerId();
            s.sourceAddress = t.getBroker().getSourceAddress();
            if (t.getBroker().getCertificateNotAfter() != null) {
                s.certificateNotAfter = t.getBroker().getCertificateNotAfter().toEpochMilli();
            }
        }
        return s;
    }

    /** A signal from a connect or disconnect of a verified device, or null for other events. */
    public static StatusSignal of(SecurityEvent e) {
        if (e.getType() != SecurityEventType.CONNECT && e.getType() != SecurityEventType.DISCONNECT) {
            return null;
        }
        StatusSignal s = new StatusSignal();
        s.tenant = e.getTenant();
        s.deviceId = e.getDeviceId();
        s.timestamp = e.getTimestamp().toEpochMilli();
        s.model = e.getModel();
        s.region = e.getRegion();
        s.connected = e.getType() == SecurityEventType.CONNECT;
        if (e.getBroker() != null) {
            s.brokerId = e.getBroker().getBrokerId();
            s.sourceAddress = e.getBroker().getSourceAddress();
        }
        return s;
    }
}
