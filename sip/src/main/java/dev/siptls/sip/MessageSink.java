package dev.siptls.sip;

import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.MessageParser;
import java.lang.System.Logger.Level;
import java.text.ParseException;
import java.util.Arrays;

/**
 * Where an event loop's framed messages go: each is parsed by JAIN-SIP's own parser and handed to the
 * connection's channel, which does what JAIN-SIP does with any message read from a connection (Via received
 * and rport, transactions, the listener). One per loop: the parser is not shared between threads.
 */
final class MessageSink implements SipStreamFramer.Sink {

    private static final System.Logger LOG = System.getLogger(MessageSink.class.getName());

    private final MessageParser parser;
    private TlsConnection connection;

    MessageSink(MessageParser parser) {
        this.parser = parser;
    }

    MessageSink on(TlsConnection connection) {
        this.connection = connection;
        return this;
    }

    /**
     * Whether the parser read the Content-Length the framer framed the message by: where they differ, the body
     * the framer cut is not the one the message announces, and the stream can no longer be trusted.
     */
    static boolean agrees(SIPMessage message, int framedLength) {
        ContentLength parsed = (ContentLength) message.getContentLength();
        return parsed != null && parsed.getContentLength() == framedLength;
    }

    @Override
    public void ping() {
        connection.pinged();
    }

    @Override
    public void message(byte[] buffer, int start, int bodyStart, int contentLength) {
        TlsFlowChannel channel = connection.channel();
        if (channel == null || connection.isClosed()) {
            return;
        }
        byte[] headers = Arrays.copyOfRange(buffer, start, bodyStart);
        SIPMessage message;
        try {
            message = parser.parseSIPMessage(headers, false, false, channel);
        } catch (ParseException e) {
            LOG.log(Level.DEBUG, "unparsable message from {0} dropped: {1}", connection,
                    PrintableText.of(e.getMessage()));
            return;
        } finally {
            Arrays.fill(headers, (byte) 0);
        }
        if (message == null) {
            return;
        }
        if (!agrees(message, contentLength)) {
            LOG.log(Level.WARNING, "connection from {0} sent a Content-Length the SIP parser reads otherwise;"
                    + " its connection is dropped", connection);
            connection.abort();
            return;
        }
        if (contentLength == 0) {
            message.removeContent();
        } else {
            message.setMessageContent(Arrays.copyOfRange(buffer, bodyStart, bodyStart + contentLength));
        }
        try {
            channel.processMessage(message);
        } catch (Exception e) {
            // JAIN-SIP has answered (413, 505, 400) or dropped it, as its own transports do
            LOG.log(Level.DEBUG, "message from {0} not processed: {1}", connection,
                    PrintableText.of(e.getMessage()));
        }
    }
}
