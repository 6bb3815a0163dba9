package io.fleetwarden.model.payload;

import java.util.List;

/**
 * A device payload was refused. {@link #reason()} is one of the
 * {@link io.fleetwarden.model.SecurityEventReasons} validation codes; {@link #violations()} lists
 * what was wrong, readable by the device's developer.
 */
public final class PayloadValidationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String reason;
    private final List<String> violations;

    public PayloadValidationException(String reason, List<String> violations) {
        super(reason + ": " + String.join("; ", violations));
        this.reason = reason;
        this.violations = List.copyOf(violations);
    }

    public String reason() {
        return reason;
    }

    public List<String> violations() {
        return violations;
    }
}
