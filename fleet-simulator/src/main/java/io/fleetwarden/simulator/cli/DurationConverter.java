package io.fleetwarden.simulator.cli;

import java.time.Duration;

import io.fleetwarden.model.Durations;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations in the project's one syntax ({@link Durations}: PT90S, P30D, 1500ms, 90s, 5m, 2h, 30d). */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
