package dev.siptls.agent;

import dev.siptls.sip.PrintableText;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Which key server an agent uses, and when it moves to another. The agent keeps one registration at a time. When
 * it fails (the key server lost, hung, refusing, or a registration attempt failing), the agent moves on at once
 * to the next key server of the round, without any wait; only once a whole round has failed does it wait, with
 * the exponential, jittered {@link Backoff}, before the next round, for which the {@link KeyServerList} is asked
 * again (DNS re-resolved). The round after losing a registered key server holds every other key server; the lost
 * one is tried again only in the rounds after that. A single key server is so retried after the backoff, as an
 * agent with one key server always was. The agent does not move back to a preferred key server while registered.
 *
 * <p>Logs one line per move (INFO, naming from and to), one WARNING when a registered key server is lost, one
 * when the first round after that fails; later failed rounds are DEBUG until the agent registers again, so a
 * long outage logs nothing per attempt. A failure for certificates ({@link TlsTrouble}) gets instead one WARNING
 * saying what to do, again only if its cause changes before the agent registers. The agent's failover thread calls it, but {@link #registered} comes from a
 * SIP worker thread: every method holds its lock.
 */
final class Failover {

    private static final System.Logger LOG = System.getLogger(Failover.class.getName());

    private final String aor;
    private final KeyServerList servers;
    private final Backoff backoff;
    private final AgentStatistics statistics;
    private final Deque<KeyServerTarget> round = new ArrayDeque<>();
    /** The key server tried now, or registered with; null before the first. */
    private KeyServerTarget current;
    /** The key server the agent was last registered with; null before the first registration. */
    private KeyServerTarget lastRegistered;
    private boolean registered;
    private boolean roundFailureLogged;
    /** The certificate problem last reported with its advice; null once registered. */
    private TlsTrouble.Cause trouble;

    Failover(String aor, KeyServerList servers, Backoff backoff, AgentStatistics statistics) {
        this.aor = aor;
        this.servers = servers;
        this.backoff = backoff;
        this.statistics = statistics;
    }

    /**
     * The key server to try now: the next of this round or, the round done, the first of a new one.
     *
     * @throws IOException if the list cannot be had (an SRV name that does not resolve): report it with
     *                     {@link #failed} like a failed attempt
     */
    synchronized KeyServerTarget next() throws IOException {
        if (round.isEmpty()) {
            round.addAll(servers.round(current));
        }
        current = round.poll();
        return current;
    }

    synchronized KeyServerTarget current() {
        return current;
    }

    /**
     * The attempt on the current key server failed, or the registration with it ended, for {@code reason}: how
     * long to wait before {@link #next()}. Zero while the round has key servers left; the backoff once it has
     * none.
     */
    synchronized Duration failed(String reason) {
        if (registered) {
            registered = false;
            roundFailureLogged = false;
            statistics.keyServer(null);
            round.clear();
            try {
                for (KeyServerTarget t : servers.round(current)) {
                    if (!t.equals(current)) {
                        round.add(t);
                    }
                }
            } catch (IOException e) {
                reason = reason + "; " + PrintableText.of(e.getMessage());
            }
            LOG.log(Level.WARNING, "{0}: lost key server {1}: {2}; {3}", aor, current, reason,
                    round.isEmpty() ? "trying it again" : "moving to " + round.peek());
        } else {
            LOG.log(Level.DEBUG, "{0}: key server {1} failed: {2}", aor, current, reason);
        }
        TlsTrouble.Cause cause = TlsTrouble.causeOf(reason).orElse(null);
        if (cause != null) {
            if (cause != trouble) {
                trouble = cause;
                LOG.log(Level.WARNING, TlsTrouble.advice(cause, aor, current, reason));
            }
            roundFailureLogged = true; // the advice says it all
        }
        if (!round.isEmpty()) {
            return Duration.ZERO;
        }
        Duration delay = backoff.next();
        if (!roundFailureLogged) {
            roundFailureLogged = true;
            LOG.log(Level.WARNING, "{0}: no key server of {1} registered this agent (last: {2}); trying them again"
                    + " with a backoff of up to {3} ms between rounds", aor, servers.describe(), reason,
                    backoff.maxMillis());
        } else {
            LOG.log(Level.DEBUG, "{0}: round failed (last: {1}); next in {2} ms", aor, reason, delay.toMillis());
        }
        return delay;
    }

    /** The agent registered with {@code target} (from not being registered); ignored unless it is the current one. */
    synchronized void registered(KeyServerTarget target) {
        if (!target.equals(current)) {
            return;
        }
        registered = true;
        roundFailureLogged = false;
        trouble = null;
        round.clear();
        backoff.reset();
        statistics.keyServer(current.describe());
        if (lastRegistered != null && !lastRegistered.equals(current)) {
            statistics.failedOver();
            LOG.log(Level.INFO, "{0}: moved from key server {1} to {2}", aor, lastRegistered, current);
        } else {
            LOG.log(Level.INFO, "{0}: registered with key server {1}", aor, current);
        }
        lastRegistered = current;
    }
}
