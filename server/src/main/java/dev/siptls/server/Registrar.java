package dev.siptls.server;

import dev.siptls.protocol.PossessionProof;
import dev.siptls.protocol.SealedBody;
import dev.siptls.sip.CertificateNames;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.Base64;
import java.time.Duration;
import java.util.Optional;
import javax.sip.InvalidArgumentException;
import javax.sip.ServerTransaction;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * REGISTER (phase 1): binds an AOR to the flow the request came over, if and only if that TLS connection's
 * client certificate proves the AOR. Over plain TCP nothing registers: the certificate is the proof. Without
 * Contact (and Expires not 0) a REGISTER only asks where the AOR is registered, with the same checks.
 */
final class Registrar {

    private static final System.Logger LOG = System.getLogger(Registrar.class.getName());
    private static final int CHALLENGE_BYTES = 32;

    private final Registry registry;
    private final Answers answers;
    private final Counters counters;
    private final KeyServerConfig config;
    private final Cluster cluster;
    private final SecureRandom random = new SecureRandom();

    Registrar(Registry registry, Cluster cluster, Answers answers, Counters counters, KeyServerConfig config) {
        this.registry = registry;
        this.cluster = cluster;
        this.answers = answers;
        this.counters = counters;
        this.config = config;
    }

    void onRegister(ServerTransaction tx, Request request, Origin origin) {
        long started = System.nanoTime();
        try {
            answers.send(tx, register(request, origin));
        } catch (Refusal r) {
            answers.refuse(tx, request, origin, r);
        }
        counters.registerAnswered(System.nanoTime() - started);
    }

    private Response register(Request request, Origin origin) throws Refusal {
        if (!origin.tls()) {
            throw new Refusal(403, "tls-required", "TLS required");
        }
        String aor = Aors.canonical(String.valueOf(SipText.toUri(request)));
        if (aor == null) {
            throw new Refusal(400, "invalid-aor", "To is not a SIP address of record");
        }
        if (origin.certificate() == null) {
            throw new Refusal(403, "no-client-certificate", "No client certificate");
        }
        if (!CertificateNames.provesAor(origin.certificate(), aor)) {
            throw new Refusal(403, "cert-does-not-prove-aor", "Certificate does not prove " + aor);
        }
        if (!SealedBody.canSealTo(origin.certificate().getPublicKey())) {
            // Its SAs are sealed to this key (docs/PROTOCOL.md, "Sealed bodies"): it could never receive one.
            throw new Refusal(403, "unsupported-key-type", "SAs cannot be sealed to a "
                    + origin.certificate().getPublicKey().getAlgorithm() + " key: use an EC or RSA certificate");
        }
        if (origin.flow() == null) {
            throw new Refusal(403, "connection-gone", "The connection this request came on is closed");
        }
        cluster.requireAvailable();
        ContactHeader contact = (ContactHeader) request.getHeader(ContactHeader.NAME);
        long expires = requestedExpires(request, contact);
        long now = System.currentTimeMillis();
        if (contact != null && contact.isWildCard() && expires != 0) {
            throw new Refusal(400, "wildcard-needs-zero-expires", "Contact * needs Expires: 0");
        }
        if (expires == 0) {
            Optional<Registration> gone = registry.unregister(aor, now);
            gone.ifPresent(cluster::withdrawn);
            boolean removed = gone.isPresent();
            Answers.debug(() -> "unregistered " + aor + " on " + origin + (removed ? "" : " (was not registered)"));
            return answers.messages.response(request, 200, "OK");
        }
        if (contact == null) {
            return query(request, aor, origin, now);
        }
        if (expires < config.minExpires().getSeconds()) {
            throw new MinExpires(config.minExpires());
        }
        long granted = Math.min(expires, config.maxExpires().getSeconds());
        Registry.Registered done = registry.register(aor, origin.flow(), origin.fingerprint(),
                now + granted * 1000, this::newChallenge);
        Registry.Outcome outcome = done.outcome();
        if (done.dropped() != null) {
            cluster.release(aor, done.dropped().bindings());
        }
        try {
            cluster.published(done.registration());
        } catch (Refusal r) {
            // Not shared, so not registered: the agent registers with another node.
            registry.unregister(aor, now);
            throw r;
        }
        origin.flow().registered();
        (outcome == Registry.Outcome.CREATED ? counters.registrationsCreated : counters.registrationsRefreshed)
                .increment();
        Answers.debug(() -> (outcome == Registry.Outcome.CREATED ? "registered " : "refreshed ") + aor + " on "
                + origin + " for " + granted + "s");
        if (outcome == Registry.Outcome.MOVED) {
            // an agent that restarted before its old connection was seen to close, or two processes with one AOR
            LOG.log(System.Logger.Level.WARNING, "{0} registered from {1} while its registration on another"
                    + " connection was still open: SAs for it now go to {1}. If this repeats, two processes share"
                    + " this AOR, and each takes the SAs of the other", aor, origin);
        }
        Response ok = answers.messages.response(request, 200, "OK");
        try {
            ContactHeader bound = (ContactHeader) contact.clone();
            bound.setExpires((int) granted);
            ok.addHeader(bound);
            ok.addHeader(answers.messages.headers.createExpiresHeader((int) granted));
            byte[] challenge = registry.active(aor, now).map(Registration::challenge).orElseGet(this::newChallenge);
            ok.addHeader(answers.messages.headers.createHeader(PossessionProof.CHALLENGE_HEADER,
                    Base64.getEncoder().encodeToString(challenge)));
        } catch (InvalidArgumentException | ParseException e) {
            throw new IllegalStateException(e);
        }
        return ok;
    }

    /**
     * A REGISTER without Contact asks for the AOR's bindings and changes nothing (RFC 3261 10.2.3, 10.3 step 6):
     * 200 with one Contact if it is registered, on this node or another, none if not. Only the AOR's own
     * certificate gets here, so the answer says no more than where that certificate's holder is registered:
     * the address of its connection as this node sees it, or only the node's name if it is registered on another
     * node (docs/PROTOCOL.md, "Querying a registration"). Not the agent's Contact, its policy or its nonce.
     */
    private Response query(Request request, String aor, Origin origin, long now) throws Refusal {
        Optional<Registration> local = registry.active(aor, now);
        String binding;
        if (local.isPresent() && cluster.owns(local.get())) {
            binding = contact(aor, local.get().flow().remote(), local.get().expiresAtMillis() - now,
                    cluster.nodeId().orElse(null));
        } else {
            binding = cluster.registeredElsewhere(aor, now)
                    .map(r -> contact(aor, null, r.expiresAtMillis() - now, r.nodeId())).orElse(null);
        }
        counters.registrationQueries.increment();
        Answers.debug(() -> "query of " + aor + " from " + origin + ": " + (binding == null ? "not registered"
                : binding));
        Response ok = answers.messages.response(request, 200, "OK");
        if (binding != null) {
            try {
                ok.addHeader(answers.messages.headers.createHeader(ContactHeader.NAME, binding));
            } catch (ParseException e) {
                throw new IllegalStateException(e);
            }
        }
        return ok;
    }

    /**
     * {@code <sip:user@address;transport=tls>;expires=N}, the address that of the registered connection; without
     * one (registered on another node) the AOR itself. {@code node} as a quoted parameter in a cluster.
     */
    private static String contact(String aor, InetSocketAddress address, long leftMillis, String node) {
        String uri = aor;
        if (address != null) {
            int at = aor.lastIndexOf('@');
            String host = address.getAddress().getHostAddress();
            uri = "sip:" + (at >= 0 ? aor.substring("sip:".length(), at + 1) : "")
                    + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort() + ";transport=tls";
        }
        long seconds = Math.max(1, (leftMillis + 999) / 1000);
        return "<" + uri + ">;expires=" + seconds + (node == null ? ""
                : ";node=\"" + node.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }

    private byte[] newChallenge() {
        byte[] nonce = new byte[CHALLENGE_BYTES];
        random.nextBytes(nonce);
        return nonce;
    }

    /** The Contact's expires parameter, else the Expires header, else the default (RFC 3261 10.3). */
    private long requestedExpires(Request request, ContactHeader contact) throws Refusal {
        if (contact != null && contact.getExpires() >= 0) {
            return contact.getExpires();
        }
        ExpiresHeader header = request.getExpires();
        if (header != null) {
            return header.getExpires();
        }
        return config.defaultExpires().getSeconds();
    }

    /** 423 with the Min-Expires header RFC 3261 asks for. */
    static final class MinExpires extends Refusal {
        private static final long serialVersionUID = 1L;
        final int seconds;

        MinExpires(Duration min) {
            super(423, "interval-too-brief", "Interval Too Brief");
            this.seconds = (int) min.getSeconds();
        }
    }

}
