package dev.siptls.agent;

import dev.siptls.protocol.XmlCodec;
import dev.siptls.sip.SipEndpoint;
import dev.siptls.sip.SipEndpointConfig;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;

/**
 * The agent's SIP endpoint and all that works over it while the agent uses one key server: the registration,
 * keep-alives, SA requests and SA offers, each bound to that key server's address and name. The agent opens a
 * new link to move to another key server and closes the old one; the SA store and the counters are the agent's
 * and outlive links.
 */
final class KeyServerLink {

    final KeyServerTarget target;
    private final SipEndpoint endpoint;
    final Registration registration;
    final AssociationRequests requests;
    private final KeepAlive keepAlive;

    private KeyServerLink(KeyServerTarget target, SipEndpoint endpoint, Registration registration,
            AssociationRequests requests, KeepAlive keepAlive) {
        this.target = target;
        this.endpoint = endpoint;
        this.registration = registration;
        this.requests = requests;
        this.keepAlive = keepAlive;
    }

    /** What every link of one agent shares. */
    record Settings(Aor aor, TlsIdentity identity, String bindAddress, AssociationStore store,
            AgentStatistics statistics, XmlCodec codec, AssociationAcceptor acceptor, Clock clock,
            Duration registrationExpiry, Duration requestTimeout, Duration keepAliveInterval,
            Duration keepAliveTimeout, ScheduledExecutorService notifier) {
    }

    /**
     * Starts an endpoint towards {@code target} and registers over it in the background.
     *
     * @throws IOException if the target's name does not resolve or the endpoint cannot start
     */
    static KeyServerLink open(Settings s, KeyServerTarget target, ProvablePolicy policy, Registration.Events events)
            throws IOException {
        InetSocketAddress address = target.address();
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve the key server host " + address.getHostString());
        }
        SSLContext tls;
        try {
            tls = s.identity().clientContext(target.name());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS for " + s.aor() + ": " + e.getMessage(), e);
        }
        Aor aor = s.aor();
        DeferredListener listener = new DeferredListener();
        SipEndpointConfig config = SipEndpointConfig.builder()
                .name("agent-" + (aor.user().isEmpty() ? aor.host() : aor.user()).replaceAll("[^A-Za-z0-9._-]", "_"))
                .bindAddress(s.bindAddress() != null ? s.bindAddress() : SipTlsAgent.localAddressTowards(address))
                .listening(false)
                .sslContext(tls)
                .outboundProxy(address)
                // SA dialogs end with their ACK (PROTOCOL.md) and the agent needs no other: the stack makes
                // none, neither for offered SAs nor for the 2xx to its own INVITEs (AssociationRequests#ack).
                .automaticDialogs(false)
                // SA exchanges are handled on the thread that read them: no hand-off to an event thread.
                .reentrantListener(true)
                .build();
        SipEndpoint sip = SipEndpoint.start(config, listener);
        // The finished INVITE transactions are dropped within the stack's next tick (half a second), yet their
        // messages are garbage only then: SA bodies are wiped as soon as they are decoded.
        ScheduledExecutorService worker = sip.scheduler();
        SharedCertificates certificates = new SharedCertificates();
        SipMessages messages = new SipMessages(sip, aor);
        AssociationBodies bodies = new AssociationBodies(s.codec(), s.identity());
        KeepAlive[] alive = new KeepAlive[1];
        Registration[] reg = new Registration[1];
        AssociationRequests req = new AssociationRequests(aor, sip.provider(), worker, s.notifier(), messages, bodies,
                s.store(), s.statistics(), s.clock(), s.requestTimeout(), () -> notRegistered(reg[0], alive[0]),
                certificates, () -> {
                    KeepAlive k = alive[0];
                    if (k != null) {
                        k.requestTimedOut();
                    }
                });
        // SA requests waiting on a lost connection fail now rather than at their timeout, so a provider
        // falls back (or refuses) at once instead of holding its handshake for the request timeout.
        reg[0] = new Registration(aor, sip.provider(), worker, messages, new KeyServerFlow(sip, address), s.codec(),
                s.statistics(), events, policy, s.registrationExpiry(), s.requestTimeout(),
                reason -> req.failAll(new IOException(reason)));
        sip.onTlsReadFailure((peer, message) -> {
            if (peer.equals(address)) {
                worker.execute(() -> reg[0].onTlsReadFailure(message));
            }
        });
        alive[0] = new KeepAlive(aor.toString(), sip.provider(), worker, sip.timers(), messages, reg[0],
                s.keepAliveInterval(), s.keepAliveTimeout(), () -> ThreadLocalRandom.current().nextDouble());
        AssociationOffers offers = new AssociationOffers(aor, messages, bodies, s.store(), s.statistics(),
                s.acceptor(), s.clock(), address, target.name(), certificates);
        listener.delegate = new AgentSipListener(aor.toString(), sip.provider(), worker, messages, reg[0], alive[0],
                req, offers, address);
        return new KeyServerLink(target, sip, reg[0], req, alive[0]);
    }

    /** Starts registering and keep-alives. */
    void start() {
        registration.start();
        keepAlive.start();
    }

    /** Why SA requests cannot be sent over this link now; empty if they can. */
    Optional<String> notRegistered() {
        return notRegistered(registration, keepAlive);
    }

    private static Optional<String> notRegistered(Registration reg, KeepAlive alive) {
        if (reg == null) {
            return Optional.of("agent not started");
        }
        RegistrationState state = reg.state();
        if (state == RegistrationState.REGISTERED) {
            return alive == null ? Optional.empty() : alive.suspicion();
        }
        return Optional.of("agent is " + state + reg.lastError().map(e -> " (" + e + ")").orElse(""));
    }

    /** Local address of its connections to the key server. */
    InetSocketAddress localAddress() {
        return endpoint.tlsAddress();
    }

    SipEndpoint endpoint() {
        return endpoint;
    }

    /**
     * Leaves this key server: unregisters if registered (waiting at most {@code unregisterWait}; zero: not at all,
     * as when moving away from a key server that failed), fails the SA requests still waiting with {@code why},
     * and stops the endpoint and its threads.
     */
    void close(String why, Duration unregisterWait) throws InterruptedException {
        try {
            registration.stop(unregisterWait);
        } finally {
            requests.failAll(new IOException(why));
            endpoint.close();
        }
    }

    /** Lets the listener exist before the endpoint whose provider its parts need; no event comes before. */
    private static final class DeferredListener implements javax.sip.SipListener {
        volatile javax.sip.SipListener delegate;

        @Override public void processRequest(javax.sip.RequestEvent e) { if (delegate != null) delegate.processRequest(e); }
        @Override public void processResponse(javax.sip.ResponseEvent e) { if (delegate != null) delegate.processResponse(e); }
        @Override public void processTimeout(javax.sip.TimeoutEvent e) { if (delegate != null) delegate.processTimeout(e); }
        @Override public void processIOException(javax.sip.IOExceptionEvent e) { if (delegate != null) delegate.processIOException(e); }
        @Override public void processTransactionTerminated(javax.sip.TransactionTerminatedEvent e) {
            if (delegate != null) delegate.processTransactionTerminated(e);
        }
        @Override public void processDialogTerminated(javax.sip.DialogTerminatedEvent e) {
            if (delegate != null) delegate.processDialogTerminated(e);
        }
    }
}
