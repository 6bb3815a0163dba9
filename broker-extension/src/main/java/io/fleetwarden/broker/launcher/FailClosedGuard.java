package io.fleetwarden.broker.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.session.ClientService;

/**
 * A last-in-line embedded extension that refuses every client. HiveMQ asks authenticators in
 * extension-priority order and the Fleetwarden extension always decides, so this guard only answers
 * when the Fleetwarden extension is not running (failed to start, removed or disabled at runtime):
 * without it, HiveMQ would admit every client.
 *
 * <p>It also drains the broker's clients before a graceful stop ({@link #drain(Duration)}).
 */
final class FailClosedGuard implements ExtensionMain, SimpleAuthenticator, PublishAuthorizer, SubscriptionAuthorizer {

    static final String REASON = "Fleetwarden security extension is not running";

    static final String DRAIN_REASON = "broker shutting down";
    private static final Logger LOG = LoggerFactory.getLogger(FailClosedGuard.class);

    /**
     * This broker's client service, taken when the guard starts. Embedded extensions share the launcher's class
     * loader and so one static {@link Services}, which each embedded HiveMQ of the JVM re-initialises when it
     * starts its extensions; {@link FleetwardenBroker} starts brokers one at a time, so the service read here is
     * this broker's even when another broker runs in the same JVM.
     */
    private volatile ClientService clients;

    static EmbeddedExtension extension(FailClosedGuard guard) {
        return EmbeddedExtension.builder().withId("fleetwarden-fail-closed-guard").withName("Fleetwarden fail-closed guard")
                .withVersion("1").withAuthor("Fleetwarden").withPriority(Integer.MIN_VALUE).withStartPriority(Integer.MAX_VALUE)
                .withExtensionMain(guard).build();
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        clients = Services.clientService();
        Services.securityRegistry().setAuthenticatorProvider(in -> this);
        Services.securityRegistry().setAuthorizerProvider(in -> this);
    }

    /**
     * Sends every connected client away with {@code SERVER_SHUTTING_DOWN} (an MQTT 5 DISCONNECT; MQTT 3 clients are
     * closed) until none is connected or {@code timeout} has passed. HiveMQ CE's own stop closes connections without
     * a DISCONNECT, so the extension would only see lost connections; drained first, each one reaches the
     * extension's lifecycle listener as a server-initiated disconnect with that reason code, while the extension
     * and its Kafka forwarder still run. The listener stays open meanwhile, so a device that reconnects at once is
     * sent away again (one more CONNECT and drained DISCONNECT for it). @return the clients still connected when it
     * gave up (0 when all left)
     */
    int drain(Duration timeout) {
        ClientService service = clients;
        if (service == null) {
            return 0; // never started: nobody can be connected
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> connected = connected(service, timeout);
        while (!connected.isEmpty()) {
            for (String clientId : connected) {
                service.disconnectClient(clientId, false, DisconnectReasonCode.SERVER_SHUTTING_DOWN, DRAIN_REASON);
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            connected = connected(service, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        if (!connected.isEmpty()) {
            LOG.warn("{} client(s) still connected after draining for {}; stopping anyway", connected.size(), timeout);
        }
        return connected.size();
    }

    private static List<String> connected(ClientService service, Duration timeout) {
        List<String> out = new CopyOnWriteArrayList<>();
        try {
            service.iterateAllClients((context, session) -> {
                if (session.isConnected()) {
                    out.add(session.getClientIdentifier());
                }
            }).get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("could not list the connected clients to drain them: {}", e.toString());
            return List.of();
        }
        return new ArrayList<>(out);
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        // nothing to release
    }

    @Override
    public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        output.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE, REASON);
    }

    @Override
    public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
        output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, REASON);
    }

    @Override
    public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
        output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, REASON);
    }
}
