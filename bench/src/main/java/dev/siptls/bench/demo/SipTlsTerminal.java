package dev.siptls.bench.demo;

import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * One terminal's own SIP-TLS provider instance, with its agent registered at the demo's key server: it
 * makes an {@code SSLContext "SIP-TLS"} for each application of the terminal.
 */
interface SipTlsTerminal extends AutoCloseable {

    /** A fresh SIP-TLS context for one application, with the application's own (counted) managers. */
    SSLContext context(KeyManager[] keys, TrustManager[] trust) throws GeneralSecurityException;

    /** Waits until the agent has registered and published its policy; false on timeout. */
    boolean awaitRegistered(Duration timeout) throws InterruptedException;

    /** Why it is not registered, for the operator. */
    String status();

    /** The provider's counters: registrations, SAs requested, obtained and accepted, handshakes. */
    AgentCounts counts();

    @Override
    void close();

    /** Makes a terminal's SIP-TLS provider from its configuration; its agent starts at the first context. */
    @FunctionalInterface
    interface Factory {
        SipTlsTerminal configure(TerminalSpec spec) throws java.io.IOException, GeneralSecurityException;
    }

    /**
     * A provider's own counts.
     *
     * @param sipResumptions handshakes it completed on a session built from an SA, as client and as server
     * @param fullHandshakes handshakes it let fall back to a full one, as client and as server
     * @param tls13Handshakes of the {@code sipResumptions}, the TLS 1.3 handshakes on an SA as external PSK
     */
    record AgentCounts(long registrations, long requested, long obtained, long accepted, long sipResumptions,
            long fullHandshakes, long tls13Handshakes) {
        static final AgentCounts NONE = new AgentCounts(0, 0, 0, 0, 0, 0, 0);

        AgentCounts plus(AgentCounts o) {
            return new AgentCounts(registrations + o.registrations, requested + o.requested,
                    obtained + o.obtained, accepted + o.accepted, sipResumptions + o.sipResumptions,
                    fullHandshakes + o.fullHandshakes, tls13Handshakes + o.tls13Handshakes);
        }
    }
}
