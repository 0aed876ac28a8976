package dev.siptls.agent;

import java.io.IOException;
import java.util.List;

/**
 * Where an agent's key servers are, and the order in which one round of attempts tries them: a fixed list
 * ({@link FixedKeyServers}) or the DNS SRV records of a name ({@link SrvKeyServers}). Asked afresh for every
 * round, so that a list given by DNS follows DNS.
 */
interface KeyServerList {

    /**
     * Every key server once, in the order a round tries them, resolved now; {@code lastTried} (or null) is the
     * one the agent used or tried last, which a list may place according to its own rule.
     *
     * @throws IOException if the list itself cannot be had now (the SRV name does not resolve): the whole round
     *                     failed
     */
    List<KeyServerTarget> round(KeyServerTarget lastTried) throws IOException;

    /** What was configured, for messages. */
    String describe();
}
