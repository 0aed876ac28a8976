package dev.siptls.bench.demo;

/**
 * What the SIP side did during one run, from the agents' and the key server's own counters.
 *
 * @param registrations      REGISTERs the key server accepted that created a registration
 * @param refreshes          REGISTERs that refreshed one
 * @param policies           policy MESSAGEs it accepted
 * @param associationsIssued SAs it delivered to both agents (INVITE relayed, 200 OK with the SA sent)
 * @param relaysAnswered     server-leg INVITEs the server agents answered
 * @param refusals           requests it refused
 * @param agentsRegistered   times the agents became registered, by their own count
 * @param requested          SAs the client agents asked for
 * @param obtained           SAs they obtained
 * @param accepted           SAs the server agents accepted
 * @param sipResumptions     handshakes the providers completed on SA sessions, client and server sides
 * @param fullHandshakes     handshakes the providers let fall back to full ones, client and server sides
 * @param tls13Handshakes    of the {@code sipResumptions}, TLS 1.3 handshakes with the SA as external PSK
 */
record SipCounters(long registrations, long refreshes, long policies, long associationsIssued, long relaysAnswered,
        long refusals, long agentsRegistered, long requested, long obtained, long accepted, long sipResumptions,
        long fullHandshakes, long tls13Handshakes) {

    static final SipCounters NONE = new SipCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** The key server's counters now (agent counts zero). */
    static SipCounters of(dev.siptls.server.KeyServerStatistics ks) {
        return new SipCounters(ks.getTotalRegistrations(), ks.getRefreshedRegistrations(), ks.getTotalPolicies(),
                ks.getSecurityAssociationsIssued(), ks.getRelaysAnswered(), ks.getTotalRefusals(), 0, 0, 0, 0, 0, 0, 0);
    }

    /** The key server's counts since {@code earlier}, with these agents' own counts. */
    SipCounters since(SipCounters earlier, SipTlsTerminal.AgentCounts agents) {
        return new SipCounters(registrations - earlier.registrations, refreshes - earlier.refreshes,
                policies - earlier.policies, associationsIssued - earlier.associationsIssued,
                relaysAnswered - earlier.relaysAnswered, refusals - earlier.refusals, agents.registrations(),
                agents.requested(), agents.obtained(), agents.accepted(), agents.sipResumptions(),
                agents.fullHandshakes(), agents.tls13Handshakes());
    }

    /** REGISTER, MESSAGE and their 200s: two messages per transaction. */
    long registrationMessages() {
        return 2 * (registrations + refreshes) + 2 * policies;
    }

    /**
     * Key distribution (PROTOCOL.md phase 2): INVITE, 200 OK and ACK on the client's leg and again on the
     * server's leg, six messages per SA.
     */
    long distributionMessages() {
        return 6 * associationsIssued;
    }

    long messages() {
        return registrationMessages() + distributionMessages();
    }
}
