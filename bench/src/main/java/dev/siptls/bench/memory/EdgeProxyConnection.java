package dev.siptls.bench.memory;

import dev.siptls.protocol.ContentTypes;
import dev.siptls.protocol.PossessionProof;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import javax.sip.ClientTransaction;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.TimeoutEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.ExtensionHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * One mutual-TLS SIP connection to the key server that carries the REGISTERs and policy MESSAGEs of many
 * AORs, as an edge proxy multiplexing its users onto one flow would: its client certificate proves each of
 * them (one subjectAltName URI per AOR). This is how the bench puts 100,000 registrations into a key server
 * without 100,000 connections, which its blocking TLS transport (a reader thread each) could not take.
 * The messages are the agent's (docs/PROTOCOL.md, phase 1), for any AOR of the block.
 */
final class EdgeProxyConnection implements AutoCloseable {

    private static final String REGISTRAR = "sips:" + BenchAgents.DOMAIN;

    private final SipEndpoint endpoint;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    /** Each AOR's registration nonce, from its REGISTER 200 OK, for its proof of possession. */
    private final Map<String, byte[]> challenges;

    private EdgeProxyConnection(SipEndpoint endpoint, Map<String, byte[]> challenges) {
        this.endpoint = endpoint;
        this.addresses = endpoint.addressFactory();
        this.headers = endpoint.headerFactory();
        this.challenges = challenges;
    }

    /** A SIP endpoint that dials only {@code keyServer}; the TLS connection opens with the first request. */
    static EdgeProxyConnection open(TlsIdentity identity, InetSocketAddress keyServer) throws Exception {
        SipEndpointConfig config = SipEndpointConfig.builder().name("edge").listening(false)
                .sslContext(identity.clientContext(keyServer.getAddress().getHostAddress()))
                .outboundProxy(keyServer).build();
        Map<String, byte[]> challenges = new ConcurrentHashMap<>();
        return new EdgeProxyConnection(SipEndpoint.start(config, new Answers(challenges)), challenges);
    }

    /** REGISTER binding {@code aor} to this connection; completes with the final status (408: no answer). */
    CompletableFuture<Integer> register(String aor, int expires) throws Exception {
        Request request = request(Request.REGISTER, aor, addresses.createAddress(aor));
        request.addHeader(headers.createContactHeader(contact(aor)));
        request.addHeader(headers.createExpiresHeader(expires));
        return send(request);
    }

    /** MESSAGE publishing {@code aor}'s policy (an encoded {@code SecurityPolicy}). */
    CompletableFuture<Integer> publish(String aor, byte[] policy) throws Exception {
        Request request = request(Request.MESSAGE, aor, addresses.createAddress(REGISTRAR));
        request.setContent(policy, headers.createContentTypeHeader(ContentTypes.TYPE, ContentTypes.POLICY_SUBTYPE));
        return send(request);
    }

    /**
     * MESSAGE publishing {@code aor}'s policy, proving possession of {@code chainKey} (the key of the policy's
     * chain) over the nonce of {@code aor}'s registration, as an agent does.
     */
    CompletableFuture<Integer> publishProven(String aor, SecurityPolicy policy, PrivateKey chainKey, XmlCodec codec)
            throws Exception {
        byte[] nonce = challenges.get(aor);
        if (nonce == null) {
            return CompletableFuture.completedFuture(403);
        }
        byte[] signature = PossessionProof.sign(chainKey, PossessionProof.signedBytes(aor, nonce,
                policy.certificateChain()));
        return publish(aor, codec.encode(policy.withPossession(signature)));
    }

    private CompletableFuture<Integer> send(Request request) throws Exception {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        ClientTransaction tx = endpoint.provider().getNewClientTransaction(request);
        tx.setApplicationData(status);
        tx.sendRequest();
        return status;
    }

    private Request request(String method, String aor, Address to) throws Exception {
        String ip = endpoint.listeningPoint().getIPAddress();
        int port = endpoint.listeningPoint().getPort();
        ViaHeader via = headers.createViaHeader(ip, port, "tls", null);
        via.setRPort();
        return endpoint.messageFactory().createRequest(addresses.createURI(REGISTRAR), method,
                endpoint.provider().getNewCallId(), headers.createCSeqHeader(1L, method),
                headers.createFromHeader(addresses.createAddress(aor), tag()), headers.createToHeader(to, null),
                List.of(via), headers.createMaxForwardsHeader(70));
    }

    /** {@code <sips:user@lp-ip:lp-port;transport=tls>}, as an agent's Contact. */
    private Address contact(String aor) throws Exception {
        String user = ((SipURI) addresses.createURI(aor)).getUser();
        SipURI uri = addresses.createSipURI(user, endpoint.listeningPoint().getIPAddress());
        uri.setSecure(true);
        uri.setPort(endpoint.listeningPoint().getPort());
        uri.setTransportParam("tls");
        return addresses.createAddress(uri);
    }

    private static String tag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }

    @Override
    public void close() {
        endpoint.close();
    }

    /**
     * Completes each request's future with its final status, keeping each AOR's registration nonce; runs on the
     * stack's event thread.
     */
    private static final class Answers implements SipEvents {

        private final Map<String, byte[]> challenges;

        Answers(Map<String, byte[]> challenges) {
            this.challenges = challenges;
        }

        @Override
        public void processResponse(ResponseEvent event) {
            Response response = event.getResponse();
            int status = response.getStatusCode();
            if (status == 200 && response.getHeader(PossessionProof.CHALLENGE_HEADER) instanceof ExtensionHeader nonce
                    && response.getHeader(FromHeader.NAME) instanceof FromHeader from) {
                PossessionProof.challenge(nonce.getValue())
                        .ifPresent(n -> challenges.put(from.getAddress().getURI().toString(), n));
            }
            if (status >= 200) {
                complete(event.getClientTransaction(), status);
            }
        }

        @Override
        public void processTimeout(TimeoutEvent event) {
            complete(event.getClientTransaction(), 408);
        }

        @SuppressWarnings("unchecked")
        private static void complete(ClientTransaction tx, int status) {
            if (tx != null && tx.getApplicationData() instanceof CompletableFuture<?> future) {
                ((CompletableFuture<Integer>) future).complete(status);
            }
        }

        @Override
        public void processRequest(RequestEvent event) {
            // the bench asks for no SAs with these AORs, so the key server sends no requests here
        }
    }
}
