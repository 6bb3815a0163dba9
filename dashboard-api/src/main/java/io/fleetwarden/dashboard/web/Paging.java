package io.fleetwarden.dashboard.web;

/**
 * Which slice of a list a request asks for: the {@code offset} and {@code limit} query parameters, bounded (a
 * negative offset, a limit of 0 or one above the route's maximum is a 400 naming the parameter).
 *
 * @param offset how many items to skip, 0 to {@link #MAX_OFFSET}
 * @param limit  how many items at most, 1 to the route's maximum
 */
public record Paging(int offset, int limit) {

    /** The largest offset any list accepts. */
    public static final int MAX_OFFSET = 10_000_000;
}
