package io.fleetwarden.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Free loopback ports for services a test starts, so parallel builds never collide on fixed ports. */
public final class Ports {

    private Ports() {
    }

    /**
     * A port that was free a moment ago. Another process may still take it before the caller binds
     * it; callers that can, retry on a bind failure.
     */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }
}
