package io.fleetwarden.dashboard.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.fleetwarden.dashboard.Fixtures;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Severity;

/** CEF escaping of hostile values, and the export cursor's strict parsing. */
class CefMapperTest {

    @Test
    void hostileValuesCannotForgeFieldsOrASecondEvent() {
        Alert a = Alert.newBuilder(Fixtures.alert("a|1", "acme", "cam-1", "R|1", Severity.CRITICAL, Instant.EPOCH))
                .setRuleName("name\\with|pipe\nand break").setSummary("x=1 suser=admin\r\nCEF:0|forged").build();
        String line = CefMapper.alertRevision(a, "0.1.0", "a0=5");
        assertThat(line).doesNotContain("\n").doesNotContain("\r");
        assertThat(line).startsWith("CEF:0|Fleetwarden|Fleetwarden|0.1.0|R\\|1|name\\\\with\\|pipe and break|10|");
        assertThat(line).contains("msg=x\\=1 suser\\=admin\\r\\nCEF:0|forged");
        assertThat(line).contains("externalId=a|1").contains("cs4=a0\\=5");
    }

    @Test
    void cursorRoundTripsAndRefusesAnythingElse() {
        ExportCursor c = ExportCursor.parse("t0=7,a1=40,a0=12");
        assertThat(c.toString()).isEqualTo("a0=12,a1=40,t0=7");
        assertThat(c.offset("a", 1, 0)).isEqualTo(40);
        assertThat(c.offset("a", 2, 0)).isZero();
        assertThat(ExportCursor.parse("").next()).isEmpty();
        for (String bad : new String[] {"a0", "a0=-1", "b0=1", "a0=x", "a0=1;DROP", "a99999=1"}) {
            assertThatThrownBy(() -> ExportCursor.parse(bad)).as(bad).isInstanceOf(ApiException.class);
        }
    }
}
