package dev.siptls.server;

import java.util.Map;
import javax.management.MXBean;

/**
 * What a running key server has done, for operators: read it from {@link KeyServer#statistics()} or over
 * JMX as {@code dev.siptls:type=KeyServer,name=<name>}. Counters only grow, except the current ones.
 */
@MXBean
public interface KeyServerStatistics {

    /** AORs registered now. */
    long getCurrentRegistrations();

    /** Accepted REGISTERs that created a registration (refreshes not counted). */
    long getTotalRegistrations();

    /** Accepted REGISTERs that refreshed an existing registration. */
    long getRefreshedRegistrations();

    /** Registrations holding an accepted policy now. */
    long getCurrentPolicies();

    /** Policies accepted since start. */
    long getTotalPolicies();

    /** Security associations delivered to both agents (client 200 OK sent). */
    long getSecurityAssociationsIssued();

    /** Of those, the TLS 1.3 SAs (external PSKs); the rest are TLS 1.2 SAs. */
    long getTls13AssociationsIssued();

    /** Refusals by {@code "<status> <reason-key>"}, e.g. {@code "403 cert-does-not-prove-aor"}. */
    Map<String, Long> getRefusals();

    /** Sum of all refusals. */
    long getTotalRefusals();

    /** Server-leg INVITEs answered by the server agent (any final status). */
    long getRelaysAnswered();

    /** Server legs sent to another node of the cluster, for agents registered there. */
    long getRelayedToNodes();

    /** Server legs received from other nodes and passed on to agents registered here. */
    long getRelayedFromNodes();

    /** Registrations kept cluster-wide, -1 for a key server alone (see {@link #getCurrentRegistrations}). */
    long getClusterRegistrations();

    /**
     * The cluster's totals (SecurityAssociationsIssued, TotalRegistrations, TotalRefusals, ...), summed over what every
     * node last published (every few seconds); empty for a key server alone or a node that may not read them now.
     */
    Map<String, Long> getClusterTotals();

    /** Accepted TLS connections open now. */
    long getOpenConnections();

    /** TLS handshakes that failed, refused client certificates among them (logged at most a line per reason a minute). */
    long getFailedTlsHandshakes();

    /** Connections closed because their peer stopped reading (output queue full, or a write blocked too long). */
    long getSlowPeersDisconnected();

    /** Connections closed for carrying no live registration for {@code idleTimeout}, whatever they sent. */
    long getIdleConnectionsClosed();

    /** Connections refused because one from the same ip:port closed under a minute before. */
    long getReusedAddressesRefused();

    /** Mean time from server-leg INVITE to the server agent's final answer, in microseconds. */
    long getRelayLatencyMeanMicros();

    /** Longest such time, in microseconds. */
    long getRelayLatencyMaxMicros();

    /**
     * Client INVITEs answered with a final response (an SA, or any refusal): the key server's response time
     * as a client sees it, from the INVITE's arrival to that response being sent, relay to the server agent
     * included.
     */
    long getInviteAnswers();

    /** Median of that time, in microseconds, within a factor of two (power-of-two buckets). */
    long getInviteAnswerLatencyP50Micros();

    /** Its 99th percentile, in microseconds, within a factor of two. */
    long getInviteAnswerLatencyP99Micros();

    /** Its longest, in microseconds. */
    long getInviteAnswerLatencyMaxMicros();
}
