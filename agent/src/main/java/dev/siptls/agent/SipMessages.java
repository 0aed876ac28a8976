package dev.siptls.agent;

import dev.siptls.protocol.ContentTypes;
import dev.siptls.sip.SipEndpoint;
import java.text.ParseException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AllowHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Builds the agent's SIP messages (PROTOCOL.md): REGISTER, MESSAGE and OPTIONS to {@code sips:<AOR domain>}, INVITE to
 * a target, responses to the key server's INVITEs. Every request leaves through the key server (the
 * endpoint's outbound proxy), whatever its Request-URI says.
 */
final class SipMessages {

    private static final int MAX_REASON = 200;

    private final SipEndpoint endpoint;
    private final Aor aor;
    private final AddressFactory addresses;
    private final HeaderFactory headers;

    SipMessages(SipEndpoint endpoint, Aor aor) {
        this.endpoint = endpoint;
        this.aor = aor;
        this.addresses = endpoint.addressFactory();
        this.headers = endpoint.headerFactory();
    }

    /** REGISTER binding this agent's contact for {@code expires} seconds (0 removes it). */
    Request register(CallIdHeader callId, long cseq, int expires) throws ParseException, InvalidArgumentException {
        Address self = addresses.createAddress(aor.toString());
        Request request = request(Request.REGISTER, addresses.createURI(aor.registrarUri()), callId, cseq,
                self);
        request.addHeader(contact());
        request.addHeader(headers.createExpiresHeader(expires));
        return request;
    }

    /** MESSAGE carrying the policy body. */
    Request message(byte[] policy) throws ParseException, InvalidArgumentException {
        URI registrar = addresses.createURI(aor.registrarUri());
        Request request = request(Request.MESSAGE, registrar, endpoint.provider().getNewCallId(), 1,
                addresses.createAddress(registrar));
        request.setContent(policy, headers.createContentTypeHeader(ContentTypes.TYPE, ContentTypes.POLICY_SUBTYPE));
        return request;
    }

    /** OPTIONS to the registrar: the keep-alive the key server answers over the flow it came on. */
    Request options() throws ParseException, InvalidArgumentException {
        URI registrar = addresses.createURI(aor.registrarUri());
        return request(Request.OPTIONS, registrar, endpoint.provider().getNewCallId(), 1,
                addresses.createAddress(registrar));
    }

    /**
     * INVITE asking the key server for an SA with {@code target}; with {@code offer} (may be null: no body) the
     * suites the client connection offers, so that the SA's suite is one of them.
     */
    Request invite(Target target, CallIdHeader callId, byte[] offer) throws ParseException, InvalidArgumentException {
        URI uri = addresses.createURI(target.requestUri());
        Request request = request(Request.INVITE, uri, callId, 1,
                addresses.createAddress(uri));
        request.addHeader(contact());
        if (offer != null) {
            request.setContent(offer, headers.createContentTypeHeader(ContentTypes.TYPE,
                    ContentTypes.SUITE_OFFER_SUBTYPE));
        }
        return request;
    }

    /** A response to {@code request}; a 2xx to an INVITE gets this agent's Contact; a To tag is set. */
    Response response(Request request, int status, String reason) throws ParseException {
        Response response = endpoint.messageFactory().createResponse(status, request);
        if (reason != null) {
            response.setReasonPhrase(reasonPhrase(reason));
        }
        ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
        if (to != null && to.getTag() == null && status > 100) {
            to.setTag(tag());
        }
        if (status / 100 == 2 && Request.INVITE.equals(request.getMethod())) {
            response.addHeader(contact());
        }
        return response;
    }

    AllowHeader allow(String methods) throws ParseException {
        return headers.createAllowHeader(methods);
    }

    /** {@code <sips:user@lp-ip:lp-port;transport=tls>}: where the key server reaches this agent. */
    ContactHeader contact() throws ParseException {
        SipURI uri = addresses.createSipURI(aor.user().isEmpty() ? null : aor.user(), host());
        uri.setSecure(true);
        uri.setPort(endpoint.listeningPoint().getPort());
        uri.setTransportParam("tls");
        return headers.createContactHeader(addresses.createAddress(uri));
    }

    /** Whether {@code contact} is this agent's own (same host and port). */
    boolean isOwn(ContactHeader contact) {
        if (contact == null || !(contact.getAddress().getURI() instanceof SipURI uri)) {
            return false;
        }
        String host = uri.getHost();
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.equalsIgnoreCase(endpoint.listeningPoint().getIPAddress())
                && uri.getPort() == endpoint.listeningPoint().getPort();
    }

    private Request request(String method, URI requestUri, CallIdHeader callId, long cseq, Address to)
            throws ParseException, InvalidArgumentException {
        Address self = addresses.createAddress(aor.toString());
        CSeqHeader cseqHeader = headers.createCSeqHeader(cseq, method);
        ViaHeader via = headers.createViaHeader(endpoint.listeningPoint().getIPAddress(),
                endpoint.listeningPoint().getPort(), "tls", null);
        via.setRPort();
        return endpoint.messageFactory().createRequest(requestUri, method, callId, cseqHeader,
                headers.createFromHeader(self, tag()), headers.createToHeader(to, null), List.of(via),
                headers.createMaxForwardsHeader(70));
    }

    private String host() {
        String ip = endpoint.listeningPoint().getIPAddress();
        return ip.indexOf(':') >= 0 && !ip.startsWith("[") ? "[" + ip + "]" : ip;
    }

    static String tag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }

    /** One printable line, bounded: a reason phrase that cannot break the message. */
    static String reasonPhrase(String reason) {
        StringBuilder b = new StringBuilder(Math.min(reason.length(), MAX_REASON));
        for (int i = 0; i < reason.length() && b.length() < MAX_REASON; i++) {
            char c = reason.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        String s = b.toString().strip();
        return s.isEmpty() ? "Not Acceptable" : s;
    }
}
