package io.fleetwarden.simulator.fleet;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;

import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.simulator.model.DeviceCondition;
import io.fleetwarden.simulator.model.DeviceSpec;

/**
 * Runtime state of one simulated device. Scheduling fields ({@link #seq}, {@link #nextDueMillis})
 * belong to the runner's tick thread; the volatile fields are also written by MQTT callbacks.
 */
final class SimDevice {
    final DeviceSpec spec;
    /** MQTT client id: the tenant-qualified device key. */
    final String clientId;
    final String telemetryTopic;
    final String eventsTopic;
    final String commandsFilter;
    MqttClientSslConfig ssl;
    volatile DeviceCondition condition;
    volatile Mqtt5AsyncClient client;
    volatile Mqtt5AsyncClient clone;
    /** The device means to be online; false after a scripted DISCONNECT until the next CONNECT. */
    volatile boolean wantOnline = true;
    volatile boolean connected;
    /** An initial connect counted against the in-flight limit has not completed yet. */
    volatile boolean connectPending;
    long seq;
    long nextDueMillis = Long.MAX_VALUE;

    SimDevice(DeviceSpec spec, DeviceCondition initial) {
        this.spec = spec;
        this.condition = initial;
        this.clientId = DeviceIdentities.clientId(spec.tenant(), spec.deviceId());
        this.telemetryTopic = DeviceIdentities.telemetryTopic(spec.tenant(), spec.deviceId());
        this.eventsTopic = DeviceIdentities.eventsTopic(spec.tenant(), spec.deviceId());
        this.commandsFilter = DeviceIdentities.commandsTopic(spec.tenant(), spec.deviceId()) + "/#";
    }
}
