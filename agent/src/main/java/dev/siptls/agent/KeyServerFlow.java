package dev.siptls.agent;

import dev.siptls.sip.SipEndpoint;
import gov.nist.core.Host;
import gov.nist.javax.sip.ListeningPointImpl;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.SIPTransaction;
import java.io.IOException;
import java.net.InetSocketAddress;
import javax.sip.Transaction;

/**
 * Tells whether the TLS connection the agent registered over is still up. JAIN-SIP raises no event when the
 * key server closes it (or restarts): the stack just drops the connection from its cache and silently opens
 * a new one for the next request, which the key server does not know as this agent's flow. So the agent
 * remembers the connection ("message channel") its registration went over and asks the stack, without any
 * I/O, whether that is still the one it would use.
 */
final class KeyServerFlow {

    private final MessageProcessor processor;
    private final gov.nist.core.HostPort keyServer;

    KeyServerFlow(SipEndpoint endpoint, InetSocketAddress keyServerAddress) {
        this.processor = ((ListeningPointImpl) endpoint.listeningPoint()).getMessageProcessor();
        this.keyServer = new gov.nist.core.HostPort();
        this.keyServer.setHost(new Host(keyServerAddress.getAddress().getHostAddress()));
        this.keyServer.setPort(keyServerAddress.getPort());
    }

    /** The connection a transaction travelled over; {@code null} if unknown. */
    static Object channelOf(Transaction transaction) {
        return transaction instanceof SIPTransaction t ? t.getMessageChannel() : null;
    }

    /**
     * Closes {@code channel}'s connection, which a hung key server never closes; the stack then drops it
     * from its cache, and the next request opens a new one.
     */
    void close(Object channel) {
        if (channel instanceof MessageChannel c) {
            c.close();
        }
    }

    /**
     * Whether the stack would still send to the key server over {@code channel}. Asking creates an
     * unconnected channel object when none is cached (no socket: it connects on first use), which the next
     * registration then uses.
     */
    boolean isCurrent(Object channel) {
        if (channel == null) {
            return false;
        }
        try {
            MessageChannel current = processor.createMessageChannel(keyServer);
            return current == channel;
        } catch (IOException e) {
            return false;
        }
    }
}
