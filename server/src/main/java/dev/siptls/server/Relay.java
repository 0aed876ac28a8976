package dev.siptls.server;

import dev.siptls.sip.Flow;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sip.ServerTransaction;
import javax.sip.message.Request;

/**
 * One SA distribution in flight: the client's INVITE transaction, the server leg, and the SA body each
 * leg carries, sealed to its agent. Lives from the client's INVITE until the server leg is ACKed (or refused, or timed out),
 * then its body is zeroed. Two one-shot flags keep the racing ends (answer, ACK, timeouts, CANCEL) apart, which
 * may run on different threads at once.
 */
final class Relay {

    final ServerTransaction clientTransaction;
    final Request clientRequest;
    final Origin client;
    /** When the client's INVITE arrived ({@link System#nanoTime()}), to time the answer to it. */
    final long receivedNanos;
    final String clientKey;
    final String clientAor;
    final Registration clientRegistration;
    final String serverAor;
    /** The server agent's registration on this node; null if it is registered on another ({@link #remote}). */
    final Registration serverRegistration;
    /** The server agent on another node of the cluster; null if it is registered here. */
    final RemoteTarget remote;
    final dev.siptls.protocol.HostPort serverAddress;
    /** The suites the client connection offers; null if the request named none (any its policy lists). */
    final dev.siptls.protocol.SuiteOffer offer;

    /** Set before the server-leg INVITE leaves: the SA sealed to each agent. */
    volatile byte[] serverBody;
    volatile byte[] clientBody;
    volatile String sessionId = "?";
    /** Whether the SA is a TLS 1.3 one, for the statistics. */
    volatile boolean tls13;
    volatile String serverCallId;
    /** The server leg's Request-URI (the server agent's AOR, {@code sips:}). */
    volatile javax.sip.address.URI serverUri;
    volatile long sentNanos;
    /** The ACK for the server agent's 200, built when it arrives; sent on the client's ACK or at the timeout. */
    volatile Request serverAck;
    /**
     * When the wait in course ends ({@link System#nanoTime()}): the server agent's answer, then the client's
     * ACK; {@link InviteRelay#expire} acts on it.
     */
    volatile long deadlineNanos;

    /** The client got its final answer. */
    final AtomicBoolean answered = new AtomicBoolean();
    /** Both legs are done and the body zeroed. */
    final AtomicBoolean finished = new AtomicBoolean();

    Relay(ServerTransaction clientTransaction, Request clientRequest, Origin client, long receivedNanos,
            String clientKey, String clientAor, Registration clientRegistration, String serverAor,
            Registration serverRegistration, RemoteTarget remote, dev.siptls.protocol.HostPort serverAddress,
            dev.siptls.protocol.SuiteOffer offer, long deadlineNanos) {
        this.clientTransaction = clientTransaction;
        this.clientRequest = clientRequest;
        this.client = client;
        this.receivedNanos = receivedNanos;
        this.clientKey = clientKey;
        this.clientAor = clientAor;
        this.clientRegistration = clientRegistration;
        this.serverAor = serverAor;
        this.serverRegistration = serverRegistration;
        this.remote = remote;
        this.serverAddress = serverAddress;
        this.offer = offer;
        this.deadlineNanos = deadlineNanos;
    }

    /** The server agent's flow on this node; null if its leg goes through another node. */
    Flow serverFlow() {
        return serverRegistration == null ? null : serverRegistration.flow();
    }

    StoredPolicy serverPolicy() {
        return serverRegistration != null ? serverRegistration.policy() : remote.policy();
    }

    /** Zeroes the sealed bodies: the messages that carried them reference these very arrays. */
    void wipe() {
        for (byte[] b : new byte[][] {serverBody, clientBody}) {
            if (b != null) {
                Arrays.fill(b, (byte) 0);
            }
        }
    }

    @Override
    public String toString() {
        return "SA " + sessionId + " " + clientAor + " -> " + serverAor;
    }
}
