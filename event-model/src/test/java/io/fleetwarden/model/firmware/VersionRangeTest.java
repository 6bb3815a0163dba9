package io.fleetwarden.model.firmware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionRangeTest {

    @ParameterizedTest(name = "{1} in {0} = {2}")
    @CsvSource(delimiter = ';', value = {
            "[1.0.0,1.4.2);1.0.0;true",
            "[1.0.0,1.4.2);1.4.1;true",
            "[1.0.0,1.4.2);1.4.2;false",
            "[1.0.0,1.4.2);0.9.9;false",
            "(1.0.0,1.4.2];1.0.0;false",
            "(1.0.0,1.4.2];1.4.2;true",
            "(,2.0];1.0;true",
            "(,2.0];2.0.0;true",
            "(,2.0];2.0.1;false",
            "[3.1,);3.1;true",
            "[3.1,);99.0;true",
            "[3.1,);3.0.9;false",
            "[1.2.3];1.2.3;true",
            "[1.2.3];1.2.4;false",
            "1.2.3;1.2.3;true",
            "[1.0,1.2),[1.5,1.6);1.1;true",
            "[1.0,1.2),[1.5,1.6);1.3;false",
            "[1.0,1.2),[1.5,1.6);1.5.5;true",
            "[1.0,1.2);1.2.0-rc.1;true",
            "[1.0,1.2);not-a-version;false"})
    void containment(String range, String version, boolean expected) {
        assertThat(VersionRange.parse(range).contains(version)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[1.0", "[1.0,2.0", "[,1.0)", "(1.0,]", "[2.0,1.0)", "[1.0,2.0)x", "[1.0,2.0),", "(1.0)", "[a,b)"})
    void refusesMalformedRanges(String range) {
        assertThatThrownBy(() -> VersionRange.parse(range)).isInstanceOf(IllegalArgumentException.class);
    }
}
