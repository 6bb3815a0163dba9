package io.fleetwarden.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

/** Where the credential-stuffing scenario connects from. */
class StuffingAddressesTest {

    @Test
    void aLoopbackSecondAddressSpreadsOverItAndTheFourAfterIt() throws Exception {
        assertThat(FleetRunner.stuffingAddresses(InetAddress.getByName("127.0.0.2"))).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6");
        // never past the end of the last octet
        assertThat(FleetRunner.stuffingAddresses(InetAddress.getByName("127.0.0.252"))).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.252", "127.0.0.253", "127.0.0.254");
    }

    @Test
    void anyOtherSecondAddressIsUsedAloneAndNoneMeansNone() throws Exception {
        assertThat(FleetRunner.stuffingAddresses(InetAddress.getByName("192.0.2.10"))).extracting(InetAddress::getHostAddress)
                .containsExactly("192.0.2.10");
        assertThat(FleetRunner.stuffingAddresses(InetAddress.getByName("::1"))).hasSize(1);
        assertThat(FleetRunner.stuffingAddresses(null)).isEmpty();
    }
}
