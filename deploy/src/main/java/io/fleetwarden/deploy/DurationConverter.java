package io.fleetwarden.deploy;

import java.time.Duration;

import io.fleetwarden.model.Durations;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Command-line durations in the project's one syntax ({@link Durations}: PT90S, P30D, 500ms, 90s, 10m, 6h, 30d). */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** Whole seconds ({@code 60}), for the older {@code --*-seconds} options; same checks as any duration. */
    public static final class Seconds implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (!value.strip().matches("[0-9]+")) {
                throw new TypeConversionException("'" + value + "' is not a whole number of seconds");
            }
            return new DurationConverter().convert(value.strip() + "s");
        }
    }
}
