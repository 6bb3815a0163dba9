package io.fleetwarden.dashboard.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The names the dashboard reads are event-model's {@link io.fleetwarden.model.InfluxSchema}, the same constants
 * stream-jobs writes with (event-model's {@code InfluxSchemaTest} holds both README tables to them); here: the
 * queries built on them quote identifiers and take only validated tenants.
 */
class InfluxSchemaTest {

    @Test
    void queriesQuoteIdentifiersAndOnlyValidatedTenants() {
        assertThat(InfluxHealthSeries.id("open")).isEqualTo("\"open\"");
        assertThat(InfluxHealthSeries.tenantClause(java.util.Set.of("acme", "globex")))
                .isEqualTo(" AND (\"tenant\" = 'acme' OR \"tenant\" = 'globex')");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InfluxHealthSeries.tenantClause(java.util.Set.of("a' OR '1")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
