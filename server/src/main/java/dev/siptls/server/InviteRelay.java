package dev.siptls.server;

import dev.siptls.protocol.ContentTypes;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.InvalidBodyException;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SuiteOffer;
import dev.siptls.protocol.XmlCodec;
import dev.siptls.sip.Flow;
import dev.siptls.sip.SipEndpoint;
import gov.nist.javax.sip.TransactionExt;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.ClientTransaction;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * INVITE (phase 2), as a back-to-back UA without dialogs: checks the client's INVITE, makes the SA, sends it in
 * a new INVITE to the server agent over that agent's flow, and answers the client with the same SA once the
 * server agent has accepted it. The client's ACK triggers the server leg's ACK, a request of the key server's
 * own ({@link Acks}; if the client never ACKs, the server leg is ACKed after {@code relayTimeout} anyway); then
 * the body is zeroed and nothing of the exchange is kept. Everything runs on the thread that read the message
 * (JAIN-SIP's re-entrant listener: several at once), timeouts on the endpoint's timer thread, which sweeps the
 * relays in flight for passed deadlines ({@link #expire}: no timer task per relay); none of them ever
 * waits on a peer (writes only queue, and the key server opens no connection).
 */
final class InviteRelay {

    private final Registry registry;
    private final AssociationFactory factory;
    private final XmlCodec codec;
    private final Answers answers;
    private final Counters counters;
    private final KeyServerConfig config;
    private final Cluster cluster;
    private final Sealer sealer;
    private final Acks acks;
    private final Map<String, Relay> byServerCall = new ConcurrentHashMap<>();
    private final Map<String, Relay> byClientCall = new ConcurrentHashMap<>();
    private volatile SipEndpoint endpoint;
    /** The links to the other nodes of a cluster; null alone. */
    private volatile SipEndpoint nodes;
    private volatile ContactHeader nodesContact;
    /** Where a write to another node runs: the links' transport blocks, the agents' event loops must not. */
    private volatile java.util.concurrent.Executor nodeWrites;
    /** The key server's Contact, parsed once: each use takes a copy. */
    private volatile ContactHeader contact;

    InviteRelay(Registry registry, Cluster cluster, AssociationFactory factory, XmlCodec codec, Answers answers,
            Counters counters, KeyServerConfig config) {
        this.registry = registry;
        this.cluster = cluster;
        this.factory = factory;
        this.codec = codec;
        this.answers = answers;
        this.counters = counters;
        this.config = config;
        this.sealer = new Sealer(new SecureRandom());
        this.acks = new Acks(answers.messages);
    }

    void attach(SipEndpoint sipEndpoint) {
        this.contact = answers.messages.contact(sipEndpoint.listeningPoint().getIPAddress(),
                sipEndpoint.listeningPoint().getPort());
        this.endpoint = sipEndpoint;
    }

    /** The links to the other nodes, over which legs to agents registered there travel. */
    void attachNodes(SipEndpoint links, java.util.concurrent.Executor writes) {
        this.nodeWrites = writes;
        this.nodesContact = answers.messages.contact(links.listeningPoint().getIPAddress(),
                links.listeningPoint().getPort());
        this.nodes = links;
    }

    /**
     * The flow a request of ours must travel over: a server leg's by its Call-ID, else the flow of the AOR
     * in its To header (a late ACK after the relay was forgotten).
     */
    Optional<InetSocketAddress> route(Request request) {
        String callId = SipText.callId(request);
        Relay relay = callId == null ? null : byServerCall.get(callId);
        if (relay != null && relay.serverFlow() != null) {
            return Optional.of(relay.serverFlow().remote());
        }
        String aor = Aors.canonical(String.valueOf(SipText.toUri(request)));
        return aor == null ? Optional.empty() : registry.flowOf(aor, System.currentTimeMillis()).map(Flow::remote);
    }

    // ---- the client leg -------------------------------------------------------------------------------

    void onInvite(ServerTransaction tx, Request request, Origin origin) {
        long received = System.nanoTime();
        Relay relay;
        try {
            relay = check(tx, request, origin, received);
        } catch (Refusal r) {
            answers.refuse(tx, request, origin, r);
            counters.inviteAnswered(System.nanoTime() - received);
            return;
        }
        SipEndpoint ep = endpoint;
        if (ep == null) {
            answers.refuse(tx, request, origin, new Refusal(503, "starting", "Key server starting"));
            counters.inviteAnswered(System.nanoTime() - received);
            return;
        }
        byClientCall.put(relay.clientKey, relay);
        Answers.debug(() -> "INVITE from " + relay.clientAor + " for " + relay.serverAor + " accepted, relaying");
        start(ep, relay);
    }

    /** The checks of docs/PROTOCOL.md phase 2, in its order. */
    private Relay check(ServerTransaction tx, Request request, Origin origin, long received) throws Refusal {
        if (!origin.tls()) {
            throw new Refusal(403, "tls-required", "TLS required");
        }
        cluster.requireAvailable();
        long now = System.currentTimeMillis();
        String sender = Aors.canonical(String.valueOf(SipText.fromUri(request)));
        Registration client = sender == null ? null : registry.active(sender, now).orElse(null);
        if (client == null || !client.flow().equals(origin.flow()) || origin.fingerprint() == null
                || !client.sameCertificate(origin.fingerprint())) {
            throw new Refusal(403, "sender-not-registered", "Not registered on this connection");
        }
        if (!cluster.owns(client)) {
            throw new Refusal(403, "sender-not-registered", "Registered on another connection now");
        }
        SuiteOffer offer = offer(request);
        String callId = SipText.callId(request);
        if (!cluster.firstTime(sender + " " + callId + " " + SipText.cseq(request))) {
            throw new Refusal(482, "replayed-invite", "Loop Detected: INVITE replayed");
        }
        URI uri = request.getRequestURI();
        if (!(uri instanceof SipURI target)) {
            throw new Refusal(416, "unsupported-uri-scheme", "Unsupported URI Scheme");
        }
        String targetAor;
        HostPort address = null;
        if (target.getUser() == null && target.getPort() > 0) {
            address = hostPort(target);
            targetAor = registry.bindingOwner(address).orElse(null);
            if (targetAor == null) {
                targetAor = cluster.bindingOwner(address).orElse(null);
            }
            if (targetAor == null) {
                throw new Refusal(404, "unknown-target", "No agent serves " + address);
            }
        } else {
            targetAor = Aors.canonical("sip:" + (target.getUser() == null ? "" : target.getUser() + "@")
                    + target.getHost());
            if (targetAor == null || !(registry.known(targetAor) || cluster.known(targetAor))) {
                throw new Refusal(404, "unknown-target", "Unknown target " + (targetAor == null ? "" : targetAor));
            }
        }
        String shown = address != null ? address.toString() : targetAor;
        Registration server = registry.active(targetAor, now).orElse(null);
        if (server != null && !cluster.owns(server)) {
            server = null; // it registered again elsewhere: the shared record says where
        }
        RemoteTarget remote = server != null ? null : cluster.remote(targetAor, now).orElse(null);
        if (server == null && remote == null) {
            throw new Refusal(480, "target-not-registered", shown + " is not registered");
        }
        StoredPolicy serverPolicy = server != null ? server.policy() : remote.policy();
        if (serverPolicy == null) {
            throw new Refusal(480, "target-without-policy", shown + " has published no policy");
        }
        if (!config.authorization().permits(sender, targetAor)) {
            throw new Refusal(403, "not-authorized", "Not authorized to reach " + shown);
        }
        if (client.policy() == null) {
            throw new Refusal(488, "client-without-policy", "No policy published by " + sender);
        }
        AssociationFactory.commonSuite(client.policy(), serverPolicy, offer);
        if (address == null && !serverPolicy.bindings().isEmpty()) {
            address = serverPolicy.bindings().get(0);
        }
        return new Relay(tx, request, origin, received, sender + " " + callId, sender, client, targetAor, server,
                remote, address, offer, received + config.relayTimeout().toNanos());
    }

    /**
     * The suites the client connection offers, if the INVITE carries them; null if it has no such body (as
     * before there was one: other bodies are ignored, as they always were). A malformed offer is a 400.
     */
    private SuiteOffer offer(Request request) throws Refusal {
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        if (type == null || !ContentTypes.TYPE.equalsIgnoreCase(type.getContentType())
                || !ContentTypes.SUITE_OFFER_SUBTYPE.equalsIgnoreCase(type.getContentSubType())) {
            return null;
        }
        byte[] body = request.getRawContent();
        try {
            return codec.decodeSuiteOffer(body == null ? new byte[0] : body);
        } catch (InvalidBodyException e) {
            throw new Refusal(400, "invalid-suite-offer", "Invalid suite offer: " + e.getMessage());
        }
    }

    private static HostPort hostPort(SipURI uri) throws Refusal {
        String host = uri.getHost();
        if (host != null && host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new HostPort(host, uri.getPort());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new Refusal(404, "unknown-target", "No agent serves that host");
        }
    }

    void onAck(RequestEvent event, Origin origin) {
        Request ack = event.getRequest();
        String sender = Aors.canonical(String.valueOf(SipText.fromUri(ack)));
        Relay relay = byClientCall.get(sender + " " + SipText.callId(ack));
        if (relay == null) {
            return;
        }
        // An ACK has no transaction to tell its certificate: it must come from the client's connection's address
        // while that connection is open.
        Flow client = relay.client.flow();
        if (!client.isOpen() || !client.remote().equals(origin.remote())) {
            Answers.debug(() -> "ignored ACK for " + relay + " from another connection " + origin);
            return;
        }
        complete(relay, "client ACK");
    }

    void onCancel(ServerTransaction cancelTx, Request cancel, Origin origin) {
        String sender = Aors.canonical(String.valueOf(SipText.fromUri(cancel)));
        Relay relay = byClientCall.get(sender + " " + SipText.callId(cancel));
        if (relay == null || !relay.client.flow().equals(origin.flow())) {
            answers.send(cancelTx, answers.messages.response(cancel, 481, "Call/Transaction Does Not Exist"));
            return;
        }
        answers.send(cancelTx, answers.messages.response(cancel, 200, "OK"));
        if (relay.answered.compareAndSet(false, true)) {
            answers.send(relay.clientTransaction, answers.messages.response(relay.clientRequest, 487,
                    "Request Terminated"));
            clientAnswered(relay);
            Answers.debug(() -> relay + " cancelled by the client");
            finish(relay);
        }
    }

    // ---- the server leg -------------------------------------------------------------------------------

    /**
     * Makes the SA, seals it to each agent, and sends the server-leg INVITE over its connection. Sealing costs one
     * key agreement per recipient a second ({@link Sealer}), else a few microseconds.
     */
    private void start(SipEndpoint ep, Relay relay) {
        if (relay.finished.get()) {
            return;
        }
        try {
            SecurityAssociation sa = factory.create(relay.clientAor, relay.clientRegistration.policy(),
                    relay.serverAor, relay.serverPolicy(), relay.serverAddress, relay.offer);
            byte[] plain = null;
            try {
                plain = codec.encode(sa);
                relay.sessionId = sa.sessionIdHex();
                relay.tls13 = sa.isTls13();
                relay.serverBody = sealer.seal(plain, relay.remote != null ? relay.remote.certificate()
                        : recipient(relay.serverRegistration));
                relay.clientBody = sealer.seal(plain, recipient(relay.clientRegistration));
            } finally {
                sa.destroy();
                if (plain != null) {
                    Arrays.fill(plain, (byte) 0);
                }
            }
            if (relay.remote != null) {
                sendToNode(relay);
                return;
            }
            Request invite = legInvite(ep, relay, contact);
            relay.serverCallId = SipText.callId(invite);
            // The answer is waited for from now; set before expire() can see the relay.
            relay.deadlineNanos = System.nanoTime() + config.relayTimeout().toNanos();
            byServerCall.put(relay.serverCallId, relay);
            Registration target = relay.serverRegistration;
            if (!target.reachable()) {
                throw new Refusal(480, "target-unreachable", relay.serverAor + " is unreachable");
            }
            relay.sentNanos = System.nanoTime();
            target.flow().sendOnly(() -> {
                ClientTransaction ct = ep.provider().getNewClientTransaction(invite);
                requireTls((TransactionExt) ct);
                ct.sendRequest();
                return null;
            });
            Answers.debug(() -> relay + " sent to the server agent on " + relay.serverFlow());
        } catch (Refusal r) {
            fail(relay, r);
        } catch (RuntimeException | LinkageError e) {
            Answers.warn(relay + " not sent", e);
            fail(relay, new Refusal(500, "internal-error", "Server Internal Error"));
        } catch (Exception e) {
            Answers.debug(() -> relay + " could not reach the server agent: " + e);
            fail(relay, new Refusal(480, "target-unreachable", relay.serverAor + " is unreachable"));
        }
    }

    /**
     * The server leg of an agent registered on another node: the same INVITE, sealed to the same agent, sent to that
     * node over the links between nodes with a Route naming the agent's flow by the token that node minted
     * (RFC 5626 style). That node checks the token and passes the INVITE on over the agent's flow; the answer
     * comes back the same way, and this node answers the client. The SA is made here, once.
     */
    private void sendToNode(Relay relay) throws Exception {
        SipEndpoint links = nodes;
        if (links == null) {
            throw new Refusal(480, "target-node-gone", relay.serverAor + " is registered on another key server");
        }
        SipMessages m = answers.messages;
        Request invite = legInvite(links, relay, nodesContact);
        SipURI route = m.addresses.createSipURI(relay.remote.record().flowToken(),
                relay.remote.node().getAddress().getHostAddress());
        route.setPort(relay.remote.node().getPort());
        route.setTransportParam("tls");
        route.setLrParam();
        invite.addHeader(m.headers.createRouteHeader(m.addresses.createAddress(route)));
        relay.serverCallId = SipText.callId(invite);
        relay.deadlineNanos = System.nanoTime() + config.relayTimeout().toNanos();
        byServerCall.put(relay.serverCallId, relay);
        relay.sentNanos = System.nanoTime();
        ClientTransaction ct = links.provider().getNewClientTransaction(invite);
        requireTls((TransactionExt) ct);
        ct.sendRequest();
        counters.relayedToNodes.increment();
        Answers.debug(() -> relay + " sent to " + relay.remote.record().nodeId() + " for its flow");
    }

    /** The server leg's INVITE, sent from {@code ep} (the agents' endpoint, or the links to another node). */
    private Request legInvite(SipEndpoint ep, Relay relay, ContactHeader from) throws Exception {
        SipMessages m = answers.messages;
        relay.serverUri = m.addresses.createURI(secure(relay.serverAor));
        Request invite = m.messages.createRequest(
                (URI) relay.serverUri.clone(),
                Request.INVITE,
                ep.provider().getNewCallId(),
                m.headers.createCSeqHeader(1L, Request.INVITE),
                m.headers.createFromHeader(m.addresses.createAddress(relay.clientAor), SipMessages.newTag()),
                m.headers.createToHeader(m.addresses.createAddress(relay.serverAor), null),
                List.of(m.headers.createViaHeader(ep.listeningPoint().getIPAddress(), ep.listeningPoint().getPort(),
                        "tls", null)),
                m.headers.createMaxForwardsHeader(70));
        invite.addHeader((ContactHeader) from.clone());
        invite.setContent(relay.serverBody, associationType());
        return invite;
    }

    void onResponse(ResponseEvent event) {
        Response response = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        if (cseq == null || !Request.INVITE.equals(cseq.getMethod()) || response.getStatusCode() < 200) {
            return;
        }
        Relay relay = byServerCall.get(SipText.callId(response));
        boolean success = response.getStatusCode() < 300;
        if (relay != null) {
            // The client's ACK is waited for from now; set before the answer is claimed (see expire).
            relay.deadlineNanos = System.nanoTime() + config.relayTimeout().toNanos();
        }
        if (relay == null || !relay.answered.compareAndSet(false, true)) {
            if (success) {
                SipEndpoint links = nodes;
                if (links != null && event.getSource() == links.provider()) {
                    ackLateNode(links, response);
                } else {
                    ackLate(response);
                }
            }
            return;
        }
        counters.relayAnswered(System.nanoTime() - relay.sentNanos);
        if (!success) {
            String reason = response.getReasonPhrase();
            answers.refuse(relay.clientTransaction, relay.clientRequest, relay.client,
                    new Refusal(response.getStatusCode(), "server-agent-refused",
                            reason == null || reason.isBlank() ? "Refused by the server agent" : reason));
            clientAnswered(relay);
            finish(relay);
            return;
        }
        try {
            SipEndpoint via = relay.remote != null ? nodes : endpoint;
            relay.serverAck = acks.forOk(response, relay.serverUri,
                    via.listeningPoint().getIPAddress(), via.listeningPoint().getPort());
        } catch (Exception e) {
            Answers.warn(relay + ": cannot build the ACK for the server agent's 200", e);
        }
        try {
            requireTls((TransactionExt) relay.clientTransaction);
            Response ok = answers.messages.response(relay.clientRequest, 200, "OK");
            ok.addHeader((ContactHeader) contact.clone());
            ok.setContent(relay.clientBody, associationType());
            if (!relay.clientRegistration.reachable()) {
                throw new java.io.IOException("the client's connection is gone");
            }
            relay.clientRegistration.flow().sendOnly(() -> {
                relay.clientTransaction.sendResponse(ok);
                return null;
            });
            counters.associationIssued(relay.tls13);
            Answers.debug(() -> relay + " accepted by the server agent and sent to the client");
        } catch (IllegalStateException e) {
            Answers.warn(relay + " not sent to the client", e);
            answers.send(relay.clientTransaction, answers.messages.response(relay.clientRequest, 500,
                    "Server Internal Error"));
        } catch (Exception e) {
            Answers.info(() -> relay + " accepted by the server agent but not delivered to the client: " + e);
        }
        clientAnswered(relay);
    }

    /** The server agent did not answer in time. */
    private void answerTimeout(Relay relay) {
        if (relay.answered.compareAndSet(false, true)) {
            answers.refuse(relay.clientTransaction, relay.clientRequest, relay.client,
                    new Refusal(408, "relay-timeout", "Server agent did not answer"));
            clientAnswered(relay);
            finish(relay);
        }
    }

    /**
     * On the timer thread, every {@link #sweepInterval}: answers 408 where the server agent did not answer
     * within {@code relayTimeout}, and ACKs the server leg where the client did not ACK within it. A relay that
     * has just been answered has its new deadline set before it was claimed, so the second look at the
     * deadline cannot ACK an exchange whose 200 is still on its way to the client.
     */
    void expire() {
        long now = System.nanoTime();
        for (Relay relay : byServerCall.values()) {
            if (now - relay.deadlineNanos < 0) {
                continue;
            }
            if (!relay.answered.get()) {
                answerTimeout(relay);
            } else if (now - relay.deadlineNanos >= 0) {
                complete(relay, "no client ACK");
            }
        }
    }

    /** How often {@link #expire} looks: a tenth of {@code relayTimeout}, within 10 to 100 ms. */
    Duration sweepInterval() {
        return Duration.ofMillis(Math.max(10, Math.min(100, config.relayTimeout().toMillis() / 10)));
    }

    /** JAIN-SIP gave up on the server leg (transaction timeout). */
    void onServerLegTimeout(String callId) {
        Relay relay = callId == null ? null : byServerCall.get(callId);
        if (relay != null) {
            answerTimeout(relay);
        }
    }

    /** ACKs the server leg over its connection, then forgets the relay; once, whoever comes first. */
    private void complete(Relay relay, String why) {
        if (!relay.finished.compareAndSet(false, true)) {
            return;
        }
        Request ack = relay.serverAck;
        try {
            if (ack != null && relay.remote != null) {
                nodeWrites.execute(() -> {
                    try {
                        nodes.provider().sendRequest(ack);
                    } catch (Exception e) {
                        Answers.info(() -> relay + ": ACK to the node failed: " + e);
                    }
                });
            } else if (ack != null) {
                relay.serverFlow().sendOnly(() -> {
                    endpoint.provider().sendRequest(ack);
                    return null;
                });
            }
            Answers.debug(() -> relay + " done (" + why + ")");
        } catch (Exception e) {
            Answers.info(() -> relay + ": ACK to the server agent failed: " + e);
        } finally {
            release(relay);
        }
    }

    /**
     * A 2xx for a server leg already given up on: ACK it so the agent stops. Only over the flow the agent
     * (the 2xx's To) is registered on: if it is gone, dialling the agent's Contact would only stall this thread.
     */
    private void ackLate(Response ok) {
        URI to = SipText.toUri(ok);
        String aor = to == null ? null : Aors.canonical(String.valueOf(to));
        Flow flow = aor == null ? null : registry.flowOf(aor, System.currentTimeMillis()).orElse(null);
        if (flow == null) {
            return;
        }
        try {
            Request ack = acks.forOk(ok, m().addresses.createURI(secure(aor)),
                    endpoint.listeningPoint().getIPAddress(), endpoint.listeningPoint().getPort());
            flow.sendOnly(() -> {
                endpoint.provider().sendRequest(ack);
                return null;
            });
        } catch (Exception e) {
            Answers.debug(() -> "late ACK failed: " + e);
        }
    }

    /** A 2xx from another node for a leg already given up on: ACK it back to that node (its Contact). */
    private void ackLateNode(SipEndpoint links, Response ok) {
        try {
            Request ack = acks.forOk(ok, m().addresses.createURI(secure(Aors.canonical(String.valueOf(
                    SipText.toUri(ok))))), links.listeningPoint().getIPAddress(), links.listeningPoint().getPort());
            links.provider().sendRequest(ack);
        } catch (Exception e) {
            Answers.debug(() -> "late ACK to a node failed: " + e);
        }
    }

    private void fail(Relay relay, Refusal refusal) {
        if (relay.answered.compareAndSet(false, true)) {
            answers.refuse(relay.clientTransaction, relay.clientRequest, relay.client, refusal);
            clientAnswered(relay);
        }
        finish(relay);
    }

    /** Times the final response just sent to the client (exactly once per relay: after winning {@code answered}). */
    private void clientAnswered(Relay relay) {
        counters.inviteAnswered(System.nanoTime() - relay.receivedNanos);
    }

    /** Forgets the relay and zeroes its body; idempotent. */
    private void finish(Relay relay) {
        if (relay.finished.compareAndSet(false, true)) {
            release(relay);
        }
    }

    /** Once {@code finished} is won: zeroes the bodies and forgets the relay. */
    private void release(Relay relay) {
        relay.wipe();
        byClientCall.remove(relay.clientKey, relay);
        if (relay.serverCallId != null) {
            byServerCall.remove(relay.serverCallId, relay);
        }
    }

    /** Forgets the ephemeral sealing keys past their second (from the key server's sweep). */
    void forgetSealingKeys() {
        sealer.forgetExpired();
    }

    /** Zeroes every body still in flight (the server is closing). */
    void wipeAll() {
        byClientCall.values().forEach(this::finish);
        byServerCall.values().forEach(this::finish);
    }

    /**
     * The one gate every SA body passes: it leaves only over TLS. The flows it travels are TLS by
     * construction (only a TLS REGISTER makes one, only a TLS INVITE asks for one); this makes it a rule.
     */
    static void requireTls(TransactionExt transaction) {
        String transport = transaction.getTransport();
        if (!"TLS".equalsIgnoreCase(transport)) {
            throw new IllegalStateException("refusing to send a security association over " + transport);
        }
    }

    private SipMessages m() {
        return answers.messages;
    }

    private ContentTypeHeader associationType() throws java.text.ParseException {
        return answers.messages.headers.createContentTypeHeader(ContentTypes.TYPE,
                ContentTypes.SEALED_ASSOCIATION_SUBTYPE);
    }

    /** The certificate an agent's connection was authenticated with: only its key opens what is sealed to it. */
    private static java.security.cert.X509Certificate recipient(Registration registration) throws Refusal {
        return registration.flow().peerCertificate().orElseThrow(() -> new Refusal(480, "target-unreachable",
                registration.aor() + " is unreachable"));
    }

    private static String secure(String aor) {
        return "sips:" + aor.substring("sip:".length());
    }
}
