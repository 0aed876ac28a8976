package dev.siptls.bench.cluster;

import dev.siptls.agent.SipTlsAgent;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.ToIntFunction;

/**
 * Which node each agent is registered with, sampled every few milliseconds from the agents themselves
 * ({@link SipTlsAgent#keyServer()}), with the time of every change: from it, when the agents of a node that
 * died were registered again elsewhere.
 */
public final class RegistrationWatch implements AutoCloseable {

    private static final long PERIOD_MS = 5;

    /** Agent {@code agent} was registered with node {@code node} (-1: none) from {@code atNanos} on. */
    public record Change(int agent, int node, long atNanos) {
    }

    private final List<SipTlsAgent> agents;
    private final ToIntFunction<SipTlsAgent> nodeOf;
    private final int[] last;
    private final List<Change> changes = new ArrayList<>();
    private final Thread sampler;
    private volatile boolean closed;

    private RegistrationWatch(List<SipTlsAgent> agents, ToIntFunction<SipTlsAgent> nodeOf) {
        this.agents = List.copyOf(agents);
        this.nodeOf = nodeOf;
        this.last = new int[agents.size()];
        this.sampler = new Thread(this::sample, "cluster-registration-watch");
        this.sampler.setDaemon(true);
    }

    /** Starts watching {@code agents}; {@code nodeOf} tells an agent's node now (-1: not registered). */
    public static RegistrationWatch start(List<SipTlsAgent> agents, ToIntFunction<SipTlsAgent> nodeOf) {
        RegistrationWatch watch = new RegistrationWatch(agents, nodeOf);
        long now = System.nanoTime();
        for (int i = 0; i < agents.size(); i++) {
            watch.last[i] = nodeOf.applyAsInt(agents.get(i));
            watch.changes.add(new Change(i, watch.last[i], now));
        }
        watch.sampler.start();
        return watch;
    }

    private void sample() {
        while (!closed) {
            long now = System.nanoTime();
            for (int i = 0; i < agents.size(); i++) {
                int node = nodeOf.applyAsInt(agents.get(i));
                if (node != last[i]) {
                    synchronized (this) {
                        last[i] = node;
                        changes.add(new Change(i, node, now));
                    }
                }
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Node of agent {@code i} at {@code atNanos} (-1: none). */
    public synchronized int nodeAt(int agent, long atNanos) {
        int node = -1;
        for (Change c : changes) {
            if (c.agent() == agent && c.atNanos() <= atNanos) {
                node = c.node();
            }
        }
        return node;
    }

    /** The agents (indexes) registered with {@code node} at {@code atNanos}. */
    public synchronized List<Integer> agentsOn(int node, long atNanos) {
        List<Integer> on = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++) {
            if (nodeAt(i, atNanos) == node) {
                on.add(i);
            }
        }
        return on;
    }

    /** When agent {@code i} was first registered with a node other than {@code node} after {@code from}. */
    public synchronized OptionalLong registeredElsewhere(int agent, int node, long from) {
        for (Change c : changes) {
            if (c.agent() == agent && c.atNanos() > from && c.node() >= 0 && c.node() != node) {
                return OptionalLong.of(c.atNanos());
            }
        }
        return OptionalLong.empty();
    }

    /** When agent {@code i} was first registered with {@code node} after {@code from}. */
    public synchronized OptionalLong registeredWith(int agent, int node, long from) {
        for (Change c : changes) {
            if (c.agent() == agent && c.atNanos() > from && c.node() == node) {
                return OptionalLong.of(c.atNanos());
            }
        }
        return OptionalLong.empty();
    }

    /** Node of agent {@code i} now (-1: none). */
    public synchronized int nodeNow(int agent) {
        return last[agent];
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        sampler.join();
    }
}
