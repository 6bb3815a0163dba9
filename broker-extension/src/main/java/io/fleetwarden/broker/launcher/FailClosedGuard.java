package io.fleetwarden.broker.launcher;

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
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;

/**
 * A last-in-line embedded extension that refuses every client. HiveMQ asks authenticators in
 * extension-priority order and the Fleetwarden extension always decides, so this guard only answers
 * when the Fleetwarden extension is not running (failed to start, removed or disabled at runtime):
 * without it, HiveMQ would admit every client.
 */
final class FailClosedGuard implements ExtensionMain, SimpleAuthenticator, PublishAuthorizer, SubscriptionAuthorizer {

    static final String REASON = "Fleetwarden security extension is not running";

    static EmbeddedExtension extension() {
        return EmbeddedExtension.builder().withId("fleetwarden-fail-closed-guard").withName("Fleetwarden fail-closed guard")
                .withVersion("1").withAuthor("Fleetwarden").withPriority(Integer.MIN_VALUE).withStartPriority(Integer.MAX_VALUE)
                .withExtensionMain(new FailClosedGuard()).build();
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        Services.securityRegistry().setAuthenticatorProvider(in -> this);
        Services.securityRegistry().setAuthorizerProvider(in -> this);
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
