package dev.siptls.server;

import dev.siptls.protocol.ContentTypes;
import java.text.ParseException;
import java.util.List;
import java.util.UUID;
import javax.sip.InvalidArgumentException;
import javax.sip.PeerUnavailableException;
import javax.sip.SipFactory;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.header.ContactHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Builds the key server's responses: reason phrases made safe for a status line, a To-tag on every final
 * response, and the key server's own Contact.
 */
final class SipMessages {

    static final String ALLOW = "REGISTER, MESSAGE, INVITE, ACK, CANCEL, BYE, OPTIONS";
    private static final int MAX_REASON = 160;

    final AddressFactory addresses;
    final HeaderFactory headers;
    final MessageFactory messages;

    SipMessages() {
        try {
            SipFactory factory = SipFactory.getInstance();
            factory.setPathName("gov.nist");
            this.addresses = factory.createAddressFactory();
            this.headers = factory.createHeaderFactory();
            this.messages = factory.createMessageFactory();
        } catch (PeerUnavailableException e) {
            throw new IllegalStateException("JAIN-SIP factories unavailable", e);
        }
    }

    /** A response with {@code reason} (cleaned) and a To-tag if it is final and the request had none. */
    Response response(Request request, int status, String reason) {
        try {
            Response response = messages.createResponse(status, request);
            if (reason != null) {
                response.setReasonPhrase(safeReason(reason));
            }
            ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
            if (status >= 200 && to != null && to.getTag() == null) {
                to.setTag(newTag());
            }
            return response;
        } catch (ParseException e) {
            throw new IllegalStateException("cannot build response " + status, e);
        }
    }

    /** The Contact of the key server on its TLS listener. */
    ContactHeader contact(String host, int port) {
        try {
            Address address = addresses.createAddress(
                    addresses.createURI("sips:keyserver@" + hostForUri(host) + ":" + port));
            return headers.createContactHeader(address);
        } catch (ParseException e) {
            throw new IllegalStateException("cannot build Contact", e);
        }
    }

    void addAllow(Response response) {
        try {
            for (String method : List.of(ALLOW.split(",\\s*"))) {
                response.addHeader(headers.createAllowHeader(method));
            }
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    void addAccept(Response response) {
        try {
            response.addHeader(headers.createAcceptHeader(ContentTypes.TYPE, ContentTypes.POLICY_SUBTYPE));
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    void addMinExpires(Response response, int seconds) {
        try {
            response.addHeader(headers.createMinExpiresHeader(seconds));
        } catch (InvalidArgumentException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 3261 20.33: when to try again (a 503 of a node that may not decide now). */
    void addRetryAfter(Response response, int seconds) {
        try {
            response.addHeader(headers.createRetryAfterHeader(seconds));
        } catch (InvalidArgumentException e) {
            throw new IllegalStateException(e);
        }
    }

    static String newTag() {
        return UUID.randomUUID().toString().substring(0, 12);
    }

    /** One printable line of at most {@value #MAX_REASON} characters: a reason never splits the status line. */
    static String safeReason(String reason) {
        StringBuilder b = new StringBuilder(Math.min(reason.length(), MAX_REASON));
        for (int i = 0; i < reason.length() && b.length() < MAX_REASON; i++) {
            char c = reason.charAt(i);
            b.append(c < ' ' || c == 0x7F ? ' ' : c);
        }
        String s = b.toString().strip();
        return s.isEmpty() ? "Refused" : s;
    }

    private static String hostForUri(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
