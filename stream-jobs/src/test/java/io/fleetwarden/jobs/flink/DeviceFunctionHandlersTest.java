package io.fleetwarden.jobs.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.detect.BootLoopRules;
import io.fleetwarden.jobs.detect.ConnectivityRules;
import io.fleetwarden.jobs.detect.DeviceContext;
import io.fleetwarden.jobs.detect.DeviceOutput;
import io.fleetwarden.jobs.detect.DeviceReport;
import io.fleetwarden.jobs.detect.DeviceRule;
import io.fleetwarden.jobs.detect.DeviceRules;
import io.fleetwarden.jobs.detect.DeviceSecurityEvent;
import io.fleetwarden.jobs.detect.FirmwareRules;
import io.fleetwarden.jobs.rules.DetectionConfig;

/** The adapter finds which units handle which optional input from their classes: nobody keeps a list. */
class DeviceFunctionHandlersTest {

    /** A unit that handles security events through an inherited implementation. */
    abstract static class SecurityBase implements DeviceRule<Object> {
        private static final long serialVersionUID = 1L;

        @Override
        public void onSecurityEvent(Object state, DeviceSecurityEvent event, DeviceContext ctx, DeviceOutput out) {
        }
    }

    static final class Inherits extends SecurityBase {
        private static final long serialVersionUID = 1L;

        @Override
        public String name() {
            return "inherits";
        }

        @Override
        public List<String> emits() {
            return List.of();
        }

        @Override
        public Class<Object> stateClass() {
            return Object.class;
        }

        @Override
        public Object newState() {
            return new Object();
        }

        @Override
        public void onReport(Object state, DeviceReport report, DeviceContext ctx, DeviceOutput out) {
        }

        @Override
        public void onDeadline(Object state, String tenant, String deviceId, long now, DeviceOutput out) {
        }
    }

    @Test
    void theStandardUnitsHandleWhatTheirClassesImplement() {
        DeviceRule<?>[] units = DeviceRules.standard(DetectionConfig.defaults()).all().toArray(new DeviceRule[0]);
        DeviceFunction.Handlers h = DeviceFunction.Handlers.of(units);

        assertThat(names(units, h.security)).containsExactly("connectivity");
        assertThat(names(units, h.lifecycle)).containsExactlyInAnyOrder("firmware", "boots");
        assertThat(names(units, h.deadline)).containsExactlyInAnyOrder("connectivity", "boots");
        assertThat(units).hasAtLeastOneElementOfType(ConnectivityRules.class).hasAtLeastOneElementOfType(FirmwareRules.class)
                .hasAtLeastOneElementOfType(BootLoopRules.class);
    }

    @Test
    void anInheritedImplementationOrADeadlineHandlerAloneCounts() {
        DeviceRule<?>[] units = {new Inherits()};
        DeviceFunction.Handlers h = DeviceFunction.Handlers.of(units);

        assertThat(h.security).containsExactly(0);
        assertThat(h.lifecycle).isEmpty();
        assertThat(h.deadline).as("onDeadline without nextDeadline still counts").containsExactly(0);
    }

    private static List<String> names(DeviceRule<?>[] units, int[] positions) {
        return java.util.Arrays.stream(positions).mapToObj(i -> units[i].name()).toList();
    }
}
