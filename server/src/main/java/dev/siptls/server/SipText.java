package dev.siptls.server;

import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Message;

/** Header values read defensively: a request from the network may lack any of them. */
final class SipText {

    private SipText() {
    }

    /** The From URI as text, or {@code "?"}. */
    static String from(Message message) {
        FromHeader from = (FromHeader) message.getHeader(FromHeader.NAME);
        return from == null || from.getAddress() == null ? "?" : String.valueOf(from.getAddress().getURI());
    }

    static URI fromUri(Message message) {
        FromHeader from = (FromHeader) message.getHeader(FromHeader.NAME);
        return from == null || from.getAddress() == null ? null : from.getAddress().getURI();
    }

    static URI toUri(Message message) {
        ToHeader to = (ToHeader) message.getHeader(ToHeader.NAME);
        return to == null || to.getAddress() == null ? null : to.getAddress().getURI();
    }

    static String callId(Message message) {
        CallIdHeader id = (CallIdHeader) message.getHeader(CallIdHeader.NAME);
        return id == null ? null : id.getCallId();
    }

    static long cseq(Message message) {
        CSeqHeader cseq = (CSeqHeader) message.getHeader(CSeqHeader.NAME);
        return cseq == null ? -1 : cseq.getSeqNumber();
    }
}
