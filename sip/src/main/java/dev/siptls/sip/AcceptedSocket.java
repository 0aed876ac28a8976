package dev.siptls.sip;

import java.net.InetSocketAddress;

/**
 * An accepted connection as its {@link OutboundQueue} and {@link AcceptedFlows} see it, TLS or plain TCP: where
 * it comes from, whether a write to it has stalled, how long no registration has claimed it, and how to close it
 * at once.
 */
interface AcceptedSocket {

    InetSocketAddress remote();

    /** More than the queue's bound is waiting for the peer. */
    void overflowed(int bytes);

    /** Closes the TCP connection at once, without waiting on the peer. */
    void abort();

    boolean isOpenFlow();

    boolean writeStalled(long nowNanos, long timeoutNanos);

    void claimed(long nowNanos);

    long unclaimedNanos(long nowNanos);

    /**
     * Whether the SIP stack may hold transactions of this connection: only then does its address need the
     * quarantine of {@link AcceptedFlows#quarantined} once it closes.
     */
    default boolean mayHaveCarriedSip() {
        return true;
    }
}
