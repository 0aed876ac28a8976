package dev.siptls.provider;

import java.util.Map;

/**
 * The counters of one configured {@link SipTlsProvider}, registered with the platform MBean server as
 * {@code dev.siptls:type=Provider,name="<AOR>"} from {@link SipTlsProvider#start()} until
 * {@link SipTlsProvider#close()}; also {@link SipTlsProvider#statistics()}. Counts only grow.
 *
 * <p>Handshake counts: a SIP resumption completed on a session built from a security association; a full
 * handshake is a fallback (counted by reason when the client checks the server's certificate, or the server
 * takes its key); a native resumption resumed a session that BCJSSE cached after an earlier full handshake
 * (bounded by the SA lifetime, and only where no SA could be had). Handshakes are counted on the thread that
 * completed them.
 */
public interface SipTlsProviderMXBean {

    String getAddressOfRecord();

    /** {@code STOPPED}, {@code CONNECTING}, {@code REGISTERED} or {@code RETRYING}. */
    String getRegistrationState();

    /** Why the agent is not registered; empty when it is. */
    String getLastError();

    /** {@code full} or {@code fail}. */
    String getFallback();

    boolean isBridgeCompatible();

    int getAssociationsHeld();

    long getSipResumptionsAsClient();

    long getSipResumptionsAsServer();

    /** Of the SIP resumptions, the TLS 1.3 handshakes with the SA as external PSK and (EC)DHE. */
    long getSipTls13HandshakesAsClient();

    long getSipTls13HandshakesAsServer();

    /**
     * Server handshakes whose ClientHello named a TLS 1.3 SA this server holds but that did not complete: a forged
     * binder, a {@code psk_ke}-only hello, a fatal alert or a cut connection. The SA stays usable.
     */
    long getRefusedTls13HandshakesAsServer();

    /** Resumptions of sessions from earlier full handshakes, not of SAs. */
    long getNativeResumptionsAsClient();

    long getNativeResumptionsAsServer();

    /**
     * SAs a client offered that the server did not resume (another session, a fatal alert or a closed connection):
     * each forgotten at once, so the next connection asks for a fresh one.
     */
    long getDeclinedAssociations();

    long getHandshakesCompletedAsClient();

    long getHandshakesCompletedAsServer();

    long getFullHandshakesAsClient();

    long getFullHandshakesAsServer();

    /** Handshakes refused under {@code fallback=fail}. */
    long getRefusedHandshakes();

    /** Full or refused handshakes by reason ({@code key-server-unavailable}, {@code unknown-session}, ...). */
    Map<String, Long> getFallbacksByReason();

    /** SA requests this provider made to the key server (as TLS client). */
    long getAssociationRequests();

    long getAssociationRequestsFailed();

    /** SA requests refused by the key server, by SIP status code. */
    Map<Integer, Long> getAssociationRequestsRefusedByCode();

    /** SAs obtained at start for the {@code prefetch} peers (each also counts as an SA request). */
    long getAssociationsPrefetched();

    long getAssociationPrefetchFailures();

    /** SAs renewed before they stopped being offered, for peers this client used within an SA lifetime. */
    long getAssociationRenewals();

    long getAssociationRenewalFailures();

    /** Renewals not made because the bound on renewals per minute was reached (the next connection asks). */
    long getAssociationRenewalsLimited();

    /** SAs the key server distributed to this provider as TLS server. */
    long getAssociationsAcceptedAsServer();

    /** Latency of successful SA requests: how many, their sum, the longest, the median and 99th percentile. */
    long getAssociationRequestLatencyCount();

    long getAssociationRequestLatencyTotalMicros();

    long getAssociationRequestLatencyMaxMicros();

    /** Within a factor of two (the histogram's buckets are powers of two). */
    long getAssociationRequestLatencyP50Micros();

    long getAssociationRequestLatencyP99Micros();

    /** Times the agent registered, and re-registered after losing the key server. */
    long getAgentRegistrations();

    long getAgentReconnects();

    /** Times the agent registered with another key server than the one it had been registered with. */
    long getAgentFailovers();

    /** The key server the agent is registered with ({@code ip:port}); empty while it is not registered. */
    String getKeyServer();
}
