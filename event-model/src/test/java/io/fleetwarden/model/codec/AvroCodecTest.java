package io.fleetwarden.model.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Samples;
import io.fleetwarden.model.Telemetry;

class AvroCodecTest {

    @Test
    void roundTripsEveryRecordType() throws Exception {
        assertThat(Codecs.TELEMETRY.decode(Codecs.TELEMETRY.encode(Samples.telemetry()))).isEqualTo(Samples.telemetry());
        assertThat(Codecs.SECURITY_EVENT.decode(Codecs.SECURITY_EVENT.encode(Samples.securityEvent())))
                .isEqualTo(Samples.securityEvent());
        assertThat(Codecs.ALERT.decode(Codecs.ALERT.encode(Samples.alert()))).isEqualTo(Samples.alert());
        assertThat(Codecs.DEVICE_CONTROL.decode(Codecs.DEVICE_CONTROL.encode(Samples.deviceControl())))
                .isEqualTo(Samples.deviceControl());
        assertThat(Codecs.FIRMWARE_CATALOG.decode(Codecs.FIRMWARE_CATALOG.encode(Samples.firmwareCatalogEntry())))
                .isEqualTo(Samples.firmwareCatalogEntry());
        assertThat(Codecs.ADVISORY.decode(Codecs.ADVISORY.encode(Samples.advisory()))).isEqualTo(Samples.advisory());
        assertThat(Codecs.DEVICE_STATUS.decode(Codecs.DEVICE_STATUS.encode(Samples.deviceStatus())))
                .isEqualTo(Samples.deviceStatus());
    }

    @Test
    void emptyInputIsRefusedWithReason() {
        Decoded<Telemetry> decoded = Codecs.TELEMETRY.tryDecode(new byte[0]);
        assertThat(decoded.isOk()).isFalse();
        assertThat(decoded.error()).get().extracting(RecordDecodingException::reason).isEqualTo("empty");
        assertThat(Codecs.TELEMETRY.tryDecode(null).error()).get()
                .extracting(RecordDecodingException::reason).isEqualTo("empty");
    }

    @Test
    void jsonIsNotMistakenForARecord() {
        Decoded<Telemetry> decoded = Codecs.TELEMETRY.tryDecode("{\"deviceId\":\"x\"}".getBytes());
        assertThat(decoded.error()).get().extracting(RecordDecodingException::reason).isEqualTo("bad-header");
        assertThatThrownBy(decoded::value).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void recordOfAnotherTypeHasAnUnknownSchema() {
        byte[] alert = Codecs.ALERT.encode(Samples.alert());
        Decoded<Telemetry> decoded = Codecs.TELEMETRY.tryDecode(alert);
        assertThat(decoded.error()).get().extracting(RecordDecodingException::reason).isEqualTo("unknown-schema");
    }

    @Test
    void truncatedBodyIsCorrupt() {
        byte[] full = Codecs.TELEMETRY.encode(Samples.telemetry());
        Decoded<Telemetry> decoded = Codecs.TELEMETRY.tryDecode(Arrays.copyOf(full, full.length / 2));
        assertThat(decoded.error()).get().extracting(RecordDecodingException::reason).isEqualTo("corrupt-body");
    }

    @Test
    void encodingARecordWithAMissingRequiredFieldFailsClearly() {
        Alert broken = Samples.alert();
        broken.setRuleId(null);
        assertThatThrownBy(() -> Codecs.ALERT.encode(broken))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Alert");
    }

    @Test
    void kafkaSerdeMapsTombstonesAndReportsBadBytes() {
        AvroSerde<Telemetry> serde = new AvroSerde<>(Codecs.TELEMETRY);
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
        assertThat(serde.deserialize("t", serde.serialize("t", Samples.telemetry()))).isEqualTo(Samples.telemetry());
        assertThatThrownBy(() -> serde.deserialize("fleet.telemetry", new byte[] {1, 2, 3}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("fleet.telemetry");
    }
}
