package io.fleetwarden.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;

/**
 * The detection jobs judge a registered device by its REGISTERED model and region (stamped by the broker from the
 * device registry), never by what its payload claims: its peer observations and cohort fields use the registry, and
 * the claim survives only as evidence.
 */
class RegisteredModelTest {

    static Telemetry claiming(String device, String claimedModel, String claimedRegion, String registeredModel,
                              String registeredRegion) {
        return Events.telemetry(device, Events.T0).setModel(claimedModel).setRegion(claimedRegion)
                .setBroker(BrokerContext.newBuilder(Events.broker("198.51.100.7")).setRegisteredModel(registeredModel)
                        .setRegisteredRegion(registeredRegion).build()).build();
    }

    @Test
    void aRegisteredDeviceIsItsRegisteredModelForPeersWhateverItClaims() {
        DeviceReport r = DeviceReport.of(claiming("cam-1", "router-r1", "us-east", "cam-x1", "eu-west"));
        assertThat(r.model()).isEqualTo("cam-x1");
        assertThat(r.region()).isEqualTo("eu-west");
        assertThat(r.registered()).isTrue();
        assertThat(r.claimedModel()).isEqualTo("router-r1");
        assertThat(r.claimedRegion()).isEqualTo("us-east");

        PeerObservation o = BehaviourRules.observation(r);
        assertThat(o.model).as("peer group key").isEqualTo("cam-x1");
    }

    @Test
    void aCompromisedDeviceCannotMoveIntoAnotherModelsPeerGroup() {
        // ten cam-x1 devices; one of them claims router-r1 to be judged against routers' (noisier) traffic
        List<PeerObservation> observations = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String claim = i == 3 ? "router-r1" : "cam-x1";
            observations.add(BehaviourRules.observation(DeviceReport.of(claiming("cam-" + i, claim, "eu-west", "cam-x1",
                    "eu-west"))));
        }
        assertThat(observations).extracting(o -> o.model).containsOnly("cam-x1");
    }

    @Test
    void withoutARegistrationTheClaimIsAllThereIs() {
        DeviceReport r = DeviceReport.of(Events.telemetry("cam-1", Events.T0).setModel("cam-x2").build());
        assertThat(r.model()).isEqualTo("cam-x2");
        assertThat(r.registered()).isFalse();
        assertThat(r.claimedModel()).isNull();
    }

    @Test
    void securityEventsOfARegisteredDeviceCarryItsRegisteredModelAndRegion() {
        DeviceSecurityEvent e = DeviceSecurityEvent.of(Events.security(SecurityEventType.CONNECT, "connected", Events.T0,
                "cam-1", "198.51.100.7").setModel("router-r1")
                .setBroker(BrokerContext.newBuilder(Events.broker("198.51.100.7")).setRegisteredModel("cam-x1")
                        .setRegisteredRegion("eu-west").build()).build());
        assertThat(e.model()).isEqualTo("cam-x1");
        assertThat(e.region()).isEqualTo("eu-west");
    }
}
