package dev.siptls.sip;

import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.MessageChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;

/**
 * A TLS connection as JAIN-SIP's transaction layer sees it. Messages come in through the inherited
 * {@code processMessage}; sends go to the connection's queue on the caller's thread. Without a connection it
 * stands for a peer this endpoint has none with: a listening endpoint never dials, so every send fails.
 */
final class TlsFlowChannel extends ConnectionOrientedMessageChannel {

    private final TlsFlowProcessor processor;
    private final TlsConnection connection;

    TlsFlowChannel(TlsFlowProcessor processor, TlsConnection connection, InetAddress peer, int peerPort) {
        super(processor.getSIPStack());
        this.processor = processor;
        this.connection = connection;
        this.messageProcessor = processor;
        this.peerAddress = peer;
        this.peerPort = peerPort;
        this.peerProtocol = "TLS";
        this.myAddress = processor.getIpAddress().getHostAddress();
        this.myPort = processor.getPort();
        this.key = MessageChannel.getKey(peer, peerPort, "TLS");
        this.isCached = true;
    }

    TlsConnection connection() {
        return connection;
    }

    @Override
    public String getTransport() {
        return "TLS";
    }

    @Override
    public boolean isSecure() {
        return true;
    }

    @Override
    protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
        isRunning = false;
        if (connection != null) {
            connection.abort();
        }
        processor.forget(this);
    }

    @Override
    protected void sendMessage(byte[] message, boolean retry) throws IOException {
        send(message);
    }

    /**
     * A send to {@code receiver}: this connection if it is the one, else the open connection from that address,
     * else a failure (a listening endpoint never dials: whoever listens at an address a Via names is nobody's
     * flow).
     */
    @Override
    public void sendMessage(byte[] message, InetAddress receiverAddress, int receiverPort, boolean retry)
            throws IOException {
        if (message == null || receiverAddress == null) {
            throw new IllegalArgumentException("Null argument");
        }
        if (receiverAddress.equals(peerAddress) && receiverPort == peerPort) {
            send(message);
            return;
        }
        TlsFlowChannel other = processor.channel(new InetSocketAddress(receiverAddress, receiverPort));
        if (other == null) {
            Flow.checkPinned(null);
            throw new IOException("not connecting to " + receiverAddress.getHostAddress() + ":" + receiverPort
                    + ": this endpoint only answers over connections its peers opened");
        }
        other.send(message);
    }

    private void send(byte[] message) throws IOException {
        if (connection == null) {
            Flow.checkPinned(null);
            throw new IOException("not connecting to " + peerAddress.getHostAddress() + ":" + peerPort
                    + ": this endpoint only answers over connections its peers opened");
        }
        connection.send(message, 0, message.length);
    }

    /** As JAIN-SIP's TLS channel: a request whose core headers do not parse gets a 400 and is dropped. */
    @Override
    @SuppressWarnings("rawtypes")
    public void handleException(ParseException ex, SIPMessage sipMessage, Class hdrClass, String header,
            String message) throws ParseException {
        if (hdrClass != null && (hdrClass.equals(From.class) || hdrClass.equals(To.class)
                || hdrClass.equals(CSeq.class) || hdrClass.equals(Via.class) || hdrClass.equals(CallID.class)
                || hdrClass.equals(ContentLength.class) || hdrClass.equals(RequestLine.class)
                || hdrClass.equals(StatusLine.class))) {
            String text = sipMessage == null ? "" : sipMessage.toString();
            if (sipMessage != null && !text.startsWith("SIP/") && !text.startsWith("ACK ")) {
                String badRequest = createBadReqRes(text, ex);
                if (badRequest != null) {
                    try {
                        send(badRequest.getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        // the connection is gone
                    }
                }
            }
            throw ex;
        }
        sipMessage.addUnparsed(header);
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "TlsFlowChannel[" + key + "]";
    }
}
