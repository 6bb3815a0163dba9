package io.fleetwarden.broker.hivemq;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;

import io.fleetwarden.model.SecurityEventReasons;

/** How a disconnect the broker initiated is reported: takeover, drain (planned maintenance) or any other. */
class ConnectionLifecycleListenerTest {

    @Test
    void aSessionTakenOverIsATakeover() {
        assertThat(ConnectionLifecycleListener.serverDisconnectReason(DisconnectedReasonCode.SESSION_TAKEN_OVER))
                .isEqualTo(SecurityEventReasons.SESSION_TAKEOVER);
    }

    @Test
    void shuttingDownOrSendingClientsElsewhereIsADrain() {
        for (DisconnectedReasonCode c : new DisconnectedReasonCode[] {DisconnectedReasonCode.SERVER_SHUTTING_DOWN,
                DisconnectedReasonCode.USE_ANOTHER_SERVER, DisconnectedReasonCode.SERVER_MOVED}) {
            assertThat(ConnectionLifecycleListener.serverDisconnectReason(c)).as(c.name()).isEqualTo(SecurityEventReasons.BROKER_DRAINING);
            // the same mapping the jobs apply to records of older brokers
            assertThat(SecurityEventReasons.disconnectReason(SecurityEventReasons.DISCONNECTED_BY_BROKER, c.name()))
                    .isEqualTo(SecurityEventReasons.BROKER_DRAINING);
        }
    }

    @Test
    void anyOtherBrokerDisconnectIsNoDrain() {
        for (DisconnectedReasonCode c : new DisconnectedReasonCode[] {DisconnectedReasonCode.NOT_AUTHORIZED,
                DisconnectedReasonCode.KEEP_ALIVE_TIMEOUT, DisconnectedReasonCode.ADMINISTRATIVE_ACTION,
                DisconnectedReasonCode.PROTOCOL_ERROR}) {
            assertThat(ConnectionLifecycleListener.serverDisconnectReason(c)).as(c.name())
                    .isEqualTo(SecurityEventReasons.DISCONNECTED_BY_BROKER);
        }
        assertThat(ConnectionLifecycleListener.serverDisconnectReason(null)).isEqualTo(SecurityEventReasons.DISCONNECTED_BY_BROKER);
        // a client's own disconnect carrying the code is not the broker's: only a broker disconnect can be a drain
        assertThat(SecurityEventReasons.disconnectReason(SecurityEventReasons.CLIENT_DISCONNECT, "SERVER_SHUTTING_DOWN"))
                .isEqualTo(SecurityEventReasons.CLIENT_DISCONNECT);
    }
}
