package dev.siptls.server;

import gov.nist.javax.sip.Utils;
import java.text.ParseException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.ListIterator;
import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The ACK for a 2xx to an INVITE the key server sent without a dialog (RFC 3261 13.2.2.4): a request of its own
 * with a fresh branch, the 2xx's Call-ID, From and To (with the agent's tag), its CSeq number with method ACK,
 * the 2xx's Contact as Request-URI and its Record-Route, reversed, as Route. Built from the 2xx alone: no
 * dialog, no transaction and no copy of the INVITE (whose body is an SA) is needed.
 */
final class Acks {

    private final SipMessages messages;

    Acks(SipMessages messages) {
        this.messages = messages;
    }

    /**
     * @param otherwise the Request-URI if the 2xx has no Contact (the INVITE's target); copied, not taken
     * @param viaHost the key server's listening address, for its Via
     */
    Request forOk(Response ok, URI otherwise, String viaHost, int viaPort)
            throws ParseException, InvalidArgumentException {
        CSeqHeader cseq = (CSeqHeader) ok.getHeader(CSeqHeader.NAME);
        ContactHeader contact = (ContactHeader) ok.getHeader(ContactHeader.NAME);
        URI target = (URI) (contact != null && contact.getAddress() != null ? contact.getAddress().getURI()
                : otherwise).clone();
        Request ack = messages.messages.createRequest(target, Request.ACK,
                (CallIdHeader) ok.getHeader(CallIdHeader.NAME).clone(),
                messages.headers.createCSeqHeader(cseq.getSeqNumber(), Request.ACK),
                (FromHeader) ok.getHeader(FromHeader.NAME).clone(),
                (ToHeader) ok.getHeader(ToHeader.NAME).clone(),
                List.of(messages.headers.createViaHeader(viaHost, viaPort, "tls",
                        Utils.getInstance().generateBranchId())),
                messages.headers.createMaxForwardsHeader(70));
        Deque<Address> route = new ArrayDeque<>();
        for (ListIterator<?> it = ok.getHeaders(RecordRouteHeader.NAME); it.hasNext();) {
            route.push(((RecordRouteHeader) it.next()).getAddress());
        }
        for (Address hop : route) {
            ack.addHeader(messages.headers.createRouteHeader((Address) hop.clone()));
        }
        return ack;
    }
}
