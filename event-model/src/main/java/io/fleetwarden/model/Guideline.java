package io.fleetwarden.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * The 13 guidelines of the UK Code of Practice for Consumer IoT Security (October 2018), with the
 * matching ETSI EN 303 645 provision. Every detection and control names the guidelines it serves.
 */
public enum Guideline {
    NO_DEFAULT_PASSWORDS(1, "No default passwords", "5.1"),
    VULNERABILITY_DISCLOSURE(2, "Implement a vulnerability disclosure policy", "5.2"),
    KEEP_SOFTWARE_UPDATED(3, "Keep software updated", "5.3"),
    SECURE_CREDENTIALS(4, "Securely store credentials and security-sensitive data", "5.4"),
    COMMUNICATE_SECURELY(5, "Communicate securely", "5.5"),
    MINIMISE_ATTACK_SURFACE(6, "Minimise exposed attack surfaces", "5.6"),
    SOFTWARE_INTEGRITY(7, "Ensure software integrity", "5.7"),
    PERSONAL_DATA_PROTECTED(8, "Ensure that personal data is protected", "5.8 and clause 6"),
    RESILIENT_TO_OUTAGES(9, "Make systems resilient to outages", "5.9"),
    MONITOR_TELEMETRY(10, "Monitor system telemetry data", "5.10"),
    EASY_DATA_DELETION(11, "Make it easy for consumers to delete personal data", "5.11"),
    EASY_INSTALLATION(12, "Make installation and maintenance of devices easy", "5.12"),
    VALIDATE_INPUT(13, "Validate input data", "5.13");

    private final int number;
    private final String title;
    private final String etsiProvision;

    Guideline(int number, String title, String etsiProvision) {
        this.number = number;
        this.title = title;
        this.etsiProvision = etsiProvision;
    }

    public int number() {
        return number;
    }

    public String title() {
        return title;
    }

    /** The ETSI EN 303 645 V2.1.1 provision the guideline became. */
    public String etsiProvision() {
        return etsiProvision;
    }

    public static Optional<Guideline> byNumber(int number) {
        return Arrays.stream(values()).filter(g -> g.number == number).findFirst();
    }
}
