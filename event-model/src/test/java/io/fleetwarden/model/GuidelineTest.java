package io.fleetwarden.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class GuidelineTest {

    @Test
    void enumMatchesTheCodeOfPracticeData() throws Exception {
        JsonNode root;
        try (InputStream in = GuidelineTest.class.getResourceAsStream("/code-of-practice.json")) {
            root = new ObjectMapper().readTree(in);
        }
        JsonNode list = root.get("guidelines");
        assertThat(list).hasSize(Guideline.values().length);
        for (JsonNode g : list) {
            Guideline guideline = Guideline.byNumber(g.get("number").asInt()).orElseThrow();
            assertThat(guideline.title()).isEqualTo(g.get("title").asText());
            assertThat(guideline.etsiProvision()).isEqualTo(g.get("etsi_en_303_645").asText());
        }
        assertThat(Guideline.byNumber(14)).isEmpty();
    }
}
