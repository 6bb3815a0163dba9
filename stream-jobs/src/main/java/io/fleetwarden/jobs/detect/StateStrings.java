package io.fleetwarden.jobs.detect;

/**
 * Keeps the string a long-lived state object already holds when a record brings an equal one. Every
 * record is deserialised into fresh strings; storing them in keyed state (which lives in the old
 * generation) made each young garbage collection copy ~10 strings per device and promote them, only to
 * drop the previous equal ones. Equal strings are interchangeable, so this changes no result.
 */
public final class StateStrings {

    private StateStrings() {
    }

    /** {@code current} when it equals {@code incoming}, else {@code incoming} (possibly null). */
    public static String keep(String current, String incoming) {
        return incoming != null && incoming.equals(current) ? current : incoming;
    }
}
