package dev.siptls.agent;

import dev.siptls.protocol.ContentTypes;
import dev.siptls.sip.SipEndpoint;
import dev.siptls.sip.SipEndpointConfig;
import dev.siptls.sip.SipEvents;
import dev.siptls.sip.TlsIdentity;
import gov.nist.javax.sip.RequestEventExt;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A key server that says whatever a test tells it to, over a real TLS SIP endpoint: it registers one agent
 * (200 to REGISTER and MESSAGE), answers the agent's INVITEs with a scripted {@link Reply}, and offers the
 * agent any SA body. It is how the agent's own checks are tested: the real key server never sends a wrong SA.
 */
final class ScriptedKeyServer implements AutoCloseable {

    /** How to answer an INVITE: status, reason, and an SA body (or null), or no answer at all. */
    record Reply(int status, String reason, byte[] body, String contentType) {
        static final Reply SILENT = new Reply(0, null, null, null);

        static Reply sa(byte[] body) {
            return new Reply(200, "OK", body, ContentTypes.ASSOCIATION);
        }
    }

    final SipEndpoint endpoint;
    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    volatile Function<Request, Reply> inviteReply = r -> new Reply(404, "Not Found", null, null);
    private volatile InetSocketAddress flow;
    private final Map<String, CompletableFuture<Response>> offers = new ConcurrentHashMap<>();

    ScriptedKeyServer(TlsIdentity identity) throws Exception {
        this.endpoint = SipEndpoint.start(SipEndpointConfig.builder().name("scripted-keyserver")
                .sslContext(identity.serverContext())
                .flows(request -> Optional.ofNullable(flow)).build(), new Listener());
    }

    InetSocketAddress address() {
        return endpoint.tlsAddress();
    }

    /** Sends an INVITE carrying {@code body} to the registered agent; completes with its final answer. */
    /** The last INVITE {@link #offer} sent. */
    volatile Request lastOffer;

    CompletableFuture<Response> offer(byte[] body, String contentType) {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        endpoint.scheduler().execute(() -> {
            try {
                var a = endpoint.addressFactory();
                var h = endpoint.headerFactory();
                CallIdHeader callId = endpoint.provider().getNewCallId();
                Request invite = endpoint.messageFactory().createRequest(a.createURI("sips:bob@example.com"),
                        Request.INVITE, callId, h.createCSeqHeader(1L, Request.INVITE),
                        h.createFromHeader(a.createAddress("sip:alice@example.com"), "ks" + System.nanoTime()),
                        h.createToHeader(a.createAddress("sip:bob@example.com"), null),
                        List.of(h.createViaHeader(endpoint.listeningPoint().getIPAddress(),
                                endpoint.listeningPoint().getPort(), "tls", null)),
                        h.createMaxForwardsHeader(70));
                invite.addHeader(h.createContactHeader(a.createAddress("sips:keyserver@"
                        + endpoint.listeningPoint().getIPAddress() + ":" + endpoint.listeningPoint().getPort())));
                if (body != null) {
                    String[] type = contentType.split("/");
                    invite.setContent(body, h.createContentTypeHeader(type[0], type[1]));
                }
                offers.put(callId.getCallId(), answer);
                var tx = endpoint.provider().getNewClientTransaction(invite);
                lastOffer = invite; // its branch is set now
                tx.sendRequest();
            } catch (Exception e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    /** The next request of {@code method} the agent sent, skipping others. */
    Request next(String method) throws InterruptedException {
        while (true) {
            Request r = requests.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no " + method + " within 10 s");
            }
            if (method.equals(r.getMethod())) {
                return r;
            }
        }
    }

    @Override
    public void close() {
        endpoint.close();
    }

    private final class Listener implements SipEvents {
        @Override
        public void processRequest(RequestEvent event) {
            Request request = event.getRequest();
            requests.add(request);
            if (Request.ACK.equals(request.getMethod())) {
                if (event.getDialog() != null) {
                    event.getDialog().delete();
                }
                return;
            }
            try {
                ServerTransaction tx = event.getServerTransaction() != null ? event.getServerTransaction()
                        : endpoint.provider().getNewServerTransaction(request);
                if (Request.REGISTER.equals(request.getMethod())) {
                    RequestEventExt ext = (RequestEventExt) event;
                    flow = new InetSocketAddress(ext.getRemoteIpAddress(), ext.getRemotePort());
                    Response ok = response(request, 200, "OK");
                    ok.addHeader((ContactHeader) request.getHeader(ContactHeader.NAME));
                    tx.sendResponse(ok);
                } else if (Request.INVITE.equals(request.getMethod())) {
                    Reply reply = inviteReply.apply(request);
                    if (reply.status() == 0) {
                        return;
                    }
                    Response response = response(request, reply.status(), reply.reason());
                    if (reply.status() / 100 == 2) {
                        response.addHeader(endpoint.headerFactory().createContactHeader(endpoint.addressFactory()
                                .createAddress("sips:keyserver@" + endpoint.listeningPoint().getIPAddress() + ":"
                                        + endpoint.listeningPoint().getPort())));
                    }
                    if (reply.body() != null) {
                        String[] type = reply.contentType().split("/");
                        response.setContent(reply.body(),
                                endpoint.headerFactory().createContentTypeHeader(type[0], type[1]));
                    }
                    tx.sendResponse(response);
                } else {
                    tx.sendResponse(response(request, 200, "OK"));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private Response response(Request request, int status, String reason) throws Exception {
            Response response = endpoint.messageFactory().createResponse(status, request);
            response.setReasonPhrase(reason);
            ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
            if (to.getTag() == null) {
                to.setTag("ks" + System.nanoTime());
            }
            return response;
        }

        @Override
        public void processResponse(ResponseEvent event) {
            Response response = event.getResponse();
            if (response.getStatusCode() < 200) {
                return;
            }
            CallIdHeader callId = (CallIdHeader) response.getHeader(CallIdHeader.NAME);
            CompletableFuture<Response> answer = offers.remove(callId.getCallId());
            if (response.getStatusCode() / 100 == 2 && event.getDialog() != null) {
                var dialog = event.getDialog();
                long cseq = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber();
                endpoint.scheduler().execute(() -> {
                    try {
                        dialog.sendAck(dialog.createAck(cseq));
                    } catch (Exception e) {
                        // the test sees the answer; the ACK is best effort
                    }
                    dialog.delete();
                });
            }
            if (answer != null) {
                answer.complete(response);
            }
        }

    }

    static String via(Request r) {
        return String.valueOf(r.getHeader(ViaHeader.NAME));
    }
}
