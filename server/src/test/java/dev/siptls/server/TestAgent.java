package dev.siptls.server;

import dev.siptls.protocol.ContentTypes;
import dev.siptls.protocol.PossessionProof;
import dev.siptls.protocol.SealedBody;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.protocol.XmlCodec;
import dev.siptls.sip.SipEndpoint;
import dev.siptls.sip.SipEndpointConfig;
import dev.siptls.sip.SipEvents;
import dev.siptls.sip.TlsIdentity;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import javax.sip.ClientTransaction;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.address.Address;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.Header;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A bare SIP agent for driving the key server in tests: sends REGISTER, MESSAGE and INVITE as a chosen
 * certificate and AOR, waits for the final response, and can act as a server agent that answers the key
 * server's INVITEs with a chosen status (or not at all) and records them and their ACKs.
 */
final class TestAgent implements AutoCloseable {

    static final XmlCodec CODEC = new XmlCodec();
    static final int SILENT = -1;
    private static final long WAIT_SECONDS = 10;

    final String aor;
    final SipEndpoint endpoint;
    private final Map<String, CompletableFuture<Response>> pending = new ConcurrentHashMap<>();
    /** INVITEs the key server sent to this agent (as server agent). */
    final BlockingQueue<Request> invites = new LinkedBlockingQueue<>();
    /** ACKs the key server sent to this agent. */
    final BlockingQueue<Request> acks = new LinkedBlockingQueue<>();
    /** How this agent answers INVITEs: a status, or {@link #SILENT}. */
    volatile ToIntFunction<Request> answer = request -> 200;
    /** The reason phrase of this agent's INVITE answers; JAIN-SIP's default if null. */
    volatile String answerReason;
    volatile boolean autoAck = true;
    /** The nonce of the last REGISTER 200 OK, null before. */
    volatile byte[] challenge;
    private long cseq = 1;

    private final TlsIdentity identity;

    private TestAgent(String aor, SipEndpoint endpoint, TlsIdentity identity) {
        this.aor = aor;
        this.endpoint = endpoint;
        this.identity = identity;
    }

    /** The SA a message of the key server carries, opened with this agent's key: it is sealed to it. */
    SecurityAssociation association(javax.sip.message.Message message) throws Exception {
        ContentTypeHeader type = (ContentTypeHeader) message.getHeader(ContentTypeHeader.NAME);
        if (type == null || !ContentTypes.SEALED_ASSOCIATION_SUBTYPE.equals(type.getContentSubType())) {
            throw new AssertionError("not a sealed SA body: " + type);
        }
        byte[] plain = SealedBody.open(message.getRawContent(), identity.privateKey(),
                identity.certificate().getPublicKey(), null);
        return CODEC.decodeAssociation(plain);
    }

    /** An agent presenting {@code identity}, speaking as {@code aor}, connected to {@code server}'s TLS port. */
    static TestAgent connect(KeyServer server, TlsIdentity identity, String aor) throws Exception {
        Listener listener = new Listener();
        SipEndpoint endpoint = SipEndpoint.start(SipEndpointConfig.builder().name("agent").listening(false)
                .sslContext(identity.clientContext("127.0.0.1"))
                .outboundProxy(server.address()).build(), listener);
        TestAgent agent = new TestAgent(aor, endpoint, identity);
        listener.agent = agent;
        return agent;
    }

    Response register(int expires) throws Exception {
        Request r = request(Request.REGISTER, "sips:" + domain(aor), aor);
        r.addHeader(contact());
        if (expires >= 0) {
            r.addHeader(endpoint.headerFactory().createExpiresHeader(expires));
        }
        Response response = send(r);
        Header nonce = response.getHeader(PossessionProof.CHALLENGE_HEADER);
        if (response.getStatusCode() == 200 && nonce instanceof javax.sip.header.ExtensionHeader value) {
            challenge = PossessionProof.challenge(value.getValue()).orElse(null);
        }
        return response;
    }

    /** REGISTER without Contact: a query (RFC 3261 10.2.3); with {@code expires} 0, removes the registration. */
    Response query(int expires) throws Exception {
        Request r = request(Request.REGISTER, "sips:" + domain(aor), aor);
        if (expires >= 0) {
            r.addHeader(endpoint.headerFactory().createExpiresHeader(expires));
        }
        return send(r);
    }

    /** Publishes {@code policy} as it is: with a possession proof only if it carries one. */
    Response publish(SecurityPolicy policy) throws Exception {
        return message(ContentTypes.TYPE, ContentTypes.POLICY_SUBTYPE, CODEC.encode(policy));
    }

    /** Publishes {@code policy} with the proof that this agent holds {@code chainKey}, over its last nonce. */
    Response publishProven(SecurityPolicy policy, PrivateKey chainKey) throws Exception {
        return publish(prove(policy, chainKey, challenge));
    }

    /** {@code policy} with {@code chainKey}'s signature over {@code nonce} for this agent's AOR. */
    SecurityPolicy prove(SecurityPolicy policy, PrivateKey chainKey, byte[] nonce) throws Exception {
        return policy.withPossession(PossessionProof.sign(chainKey,
                PossessionProof.signedBytes(aor, nonce, policy.certificateChain())));
    }

    Response message(String type, String subtype, byte[] body) throws Exception {
        Request r = request(Request.MESSAGE, "sips:" + domain(aor), aor);
        r.setContent(body, endpoint.headerFactory().createContentTypeHeader(type, subtype));
        return send(r);
    }

    /** INVITE {@code target}; a 2xx is ACKed (unless {@link #autoAck} is off). */
    Response invite(String target) throws Exception {
        return send(inviteRequest(target));
    }

    Request inviteRequest(String target) throws Exception {
        Request r = request(Request.INVITE, target, target);
        r.addHeader(contact());
        return r;
    }

    /** A request with a fresh Call-ID and branch, From this agent's AOR. */
    Request request(String method, String requestUri, String toUri) throws Exception {
        var af = endpoint.addressFactory();
        var hf = endpoint.headerFactory();
        Address from = af.createAddress(aor);
        Address to = af.createAddress(toUri.startsWith("sips:") ? toUri : toUri);
        ViaHeader via = hf.createViaHeader(endpoint.listeningPoint().getIPAddress(),
                endpoint.listeningPoint().getPort(), "tls", null);
        via.setRPort();
        return endpoint.messageFactory().createRequest(af.createURI(requestUri), method,
                endpoint.provider().getNewCallId(), hf.createCSeqHeader(cseq++, method),
                hf.createFromHeader(from, "t" + System.nanoTime()), hf.createToHeader(to, null), List.of(via),
                hf.createMaxForwardsHeader(70));
    }

    /** Sends as a new transaction and waits for the final response. */
    Response send(Request request) throws Exception {
        CompletableFuture<Response> done = new CompletableFuture<>();
        String key = key(request);
        pending.put(key, done);
        endpoint.provider().getNewClientTransaction(request).sendRequest();
        try {
            return done.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } finally {
            pending.remove(key, done);
        }
    }

    /** Sends as a new transaction; the final response completes the future. */
    ClientTransaction sendAsync(Request request, CompletableFuture<Response> done) throws Exception {
        pending.put(key(request), done);
        ClientTransaction tx = endpoint.provider().getNewClientTransaction(request);
        tx.sendRequest();
        return tx;
    }

    static Response await(CompletableFuture<Response> response) throws Exception {
        return response.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** A copy of {@code request} as a new transaction: same Call-ID and CSeq, new branch. */
    Request replay(Request request) throws Exception {
        Request copy = (Request) request.clone();
        copy.removeHeader(ViaHeader.NAME);
        ViaHeader via = endpoint.headerFactory().createViaHeader(endpoint.listeningPoint().getIPAddress(),
                endpoint.listeningPoint().getPort(), "tls", null);
        via.setRPort();
        copy.addHeader(via);
        return copy;
    }

    Request nextInvite() throws InterruptedException {
        return invites.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    Request nextInviteWithin(java.time.Duration wait) throws InterruptedException {
        return invites.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    Request nextAck() throws InterruptedException {
        return acks.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    static int grantedExpires(Response response) {
        ContactHeader c = (ContactHeader) response.getHeader(ContactHeader.NAME);
        if (c != null && c.getExpires() >= 0) {
            return c.getExpires();
        }
        ExpiresHeader e = (ExpiresHeader) response.getHeader(ExpiresHeader.NAME);
        return e == null ? -1 : e.getExpires();
    }

    private ContactHeader contact() throws Exception {
        var af = endpoint.addressFactory();
        String user = aor.contains("@") ? aor.substring(aor.indexOf(':') + 1, aor.indexOf('@')) : "agent";
        return endpoint.headerFactory().createContactHeader(af.createAddress("sips:" + user + "@"
                + endpoint.listeningPoint().getIPAddress() + ":" + endpoint.listeningPoint().getPort()));
    }

    static String domain(String aor) {
        String s = aor.substring(aor.indexOf(':') + 1);
        return s.substring(s.indexOf('@') + 1);
    }

    private static String key(javax.sip.message.Message m) {
        return ((CallIdHeader) m.getHeader(CallIdHeader.NAME)).getCallId() + " "
                + ((CSeqHeader) m.getHeader(CSeqHeader.NAME)).getSeqNumber() + " "
                + ((CSeqHeader) m.getHeader(CSeqHeader.NAME)).getMethod();
    }

    InetSocketAddress localAddress() {
        return endpoint.tlsAddress();
    }

    @Override
    public void close() {
        endpoint.close();
    }

    private static final class Listener implements SipEvents {
        volatile TestAgent agent;

        @Override
        public void processRequest(RequestEvent event) {
            TestAgent a = agent;
            Request request = event.getRequest();
            try {
                if (Request.ACK.equals(request.getMethod())) {
                    a.acks.add(request);
                    return;
                }
                ServerTransaction tx = event.getServerTransaction() != null ? event.getServerTransaction()
                        : a.endpoint.provider().getNewServerTransaction(request);
                if (Request.INVITE.equals(request.getMethod())) {
                    a.invites.add(request);
                    int status = a.answer.applyAsInt(request);
                    if (status == SILENT) {
                        return;
                    }
                    Response response = a.endpoint.messageFactory().createResponse(status, request);
                    ((ToHeader) response.getHeader(ToHeader.NAME)).setTag("s" + System.nanoTime());
                    if (a.answerReason != null) {
                        response.setReasonPhrase(a.answerReason);
                    }
                    if (status < 300) {
                        response.addHeader(a.contact());
                    }
                    tx.sendResponse(response);
                } else {
                    tx.sendResponse(a.endpoint.messageFactory().createResponse(200, request));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void processResponse(ResponseEvent event) {
            TestAgent a = agent;
            Response response = event.getResponse();
            if (response.getStatusCode() < 200) {
                return;
            }
            CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
            if (Request.INVITE.equals(cseq.getMethod()) && response.getStatusCode() < 300 && a.autoAck
                    && event.getDialog() != null) {
                try {
                    event.getDialog().sendAck(event.getDialog().createAck(cseq.getSeqNumber()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            CompletableFuture<Response> done = a.pending.get(key(response));
            if (done != null) {
                done.complete(response);
            }
        }
    }
}
