package dev.siptls.server;

import dev.siptls.protocol.ContentTypes;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.InvalidBodyException;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.protocol.XmlCodec;
import java.util.List;
import java.util.Optional;
import javax.sip.ServerTransaction;
import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Request;

/**
 * MESSAGE with a security policy (phase 1): accepted only from a registered AOR over a connection with the
 * certificate it registered with; a policy with a chain only if the {@link PolicyVerifier} accepts it (a whole
 * trusted path whose key the agent proved, valid for every bound host the AOR may serve), and none of its
 * {@code host:port}s belongs to another AOR. A refused policy changes nothing.
 */
final class PolicyDesk {

    private final Registry registry;
    private final PolicyVerifier verifier;
    private final XmlCodec codec;
    private final Answers answers;
    private final Counters counters;
    private final Cluster cluster;

    PolicyDesk(Registry registry, Cluster cluster, PolicyVerifier verifier, XmlCodec codec, Answers answers,
            Counters counters) {
        this.registry = registry;
        this.cluster = cluster;
        this.verifier = verifier;
        this.codec = codec;
        this.answers = answers;
        this.counters = counters;
    }

    void onMessage(ServerTransaction tx, Request request, Origin origin) {
        long started = System.nanoTime();
        try {
            accept(request, origin);
            answers.send(tx, answers.messages.response(request, 200, "OK"));
        } catch (Refusal r) {
            answers.refuse(tx, request, origin, r);
        }
        counters.policyAnswered(System.nanoTime() - started);
    }

    private void accept(Request request, Origin origin) throws Refusal {
        if (!origin.tls()) {
            throw new Refusal(403, "tls-required", "TLS required");
        }
        String sender = Aors.canonical(String.valueOf(SipText.fromUri(request)));
        long now = System.currentTimeMillis();
        Registration registration = sender == null ? null : registry.active(sender, now).orElse(null);
        if (registration == null) {
            throw new Refusal(403, "sender-not-registered", "Not registered");
        }
        if (origin.fingerprint() == null || !registration.sameCertificate(origin.fingerprint())) {
            throw new Refusal(403, "wrong-certificate", "Certificate is not the one " + sender + " registered with");
        }
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        if (type == null || !ContentTypes.TYPE.equalsIgnoreCase(type.getContentType())
                || !ContentTypes.POLICY_SUBTYPE.equalsIgnoreCase(type.getContentSubType())) {
            throw new Refusal(415, "unsupported-media-type", "Unsupported Media Type");
        }
        byte[] body = request.getRawContent();
        SecurityPolicy policy;
        try {
            policy = codec.decodePolicy(body == null ? new byte[0] : body);
        } catch (InvalidBodyException e) {
            throw new Refusal(400, "invalid-policy", e.getMessage());
        }
        verifier.verify(policy, sender, origin.certificate(), registration.challenge());
        cluster.requireAvailable();
        StoredPolicy stored = StoredPolicy.of(policy);
        List<HostPort> before = registration.policy() == null ? List.of() : registration.policy().bindings();
        Optional<HostPort> conflict = cluster.claim(sender, stored.bindings());
        if (conflict.isPresent()) {
            throw new Refusal(409, "binding-conflict", conflict.get() + " is bound by another agent");
        }
        try {
            conflict = registry.setPolicy(sender, stored, now);
        } catch (IllegalStateException expiredMeanwhile) {
            cluster.release(sender, newOnly(stored.bindings(), before));
            throw new Refusal(403, "sender-not-registered", "Not registered");
        }
        if (conflict.isPresent()) {
            cluster.release(sender, newOnly(stored.bindings(), before));
            throw new Refusal(409, "binding-conflict", conflict.get() + " is bound by another agent");
        }
        cluster.release(sender, newOnly(before, stored.bindings()));
        Registration updated = registry.active(sender, now).orElse(null);
        if (updated != null) {
            cluster.published(updated);
        }
        counters.policiesAccepted.increment();
        Answers.debug(() -> "accepted policy of " + sender + ": " + policy);
    }

    /** Those of {@code bindings} not in {@code other}. */
    private static List<HostPort> newOnly(List<HostPort> bindings, List<HostPort> other) {
        return bindings.stream().filter(b -> !other.contains(b)).toList();
    }
}
