package dev.siptls.bench.cluster;

import dev.siptls.bench.cluster.PairLoad.Outcome;
import java.util.List;
import java.util.OptionalLong;

/**
 * How the agents and the SA traffic came back after node {@code node} died at {@code killedAt}: the agents it held
 * then, when the first and the last of them was registered with another node, and for every pair of a client and a
 * server agent, when the first SA asked for after the death arrived. Times are from the death, in milliseconds;
 * -1 where it did not happen.
 *
 * @param agentsMoved    agents registered with the node when it died
 * @param reRegistered   of those, the ones registered with another node since
 * @param firstMs        to the first of them registered elsewhere
 * @param lastMs         to the last of them registered elsewhere (-1 if not all did)
 * @param pairs          client-server pairs that asked for SAs after the death
 * @param pairsServed    of those, the ones that got an SA asked for after the death
 * @param firstSaMs      to the first SA, any pair, asked for after the death
 * @param allPairsMs     to the last pair's first SA asked for after the death (-1 if not every pair got one)
 * @param movedPairsMs   the same over the pairs with an agent of the dead node only (-1: none, or not all served)
 */
public record Recovery(int node, int agentsMoved, int reRegistered, long firstMs, long lastMs, int pairs,
        int pairsServed, long firstSaMs, long allPairsMs, long movedPairsMs) {

    /**
     * Reads it off the watch (agents indexed servers first, then clients, as {@link ClusterAgents#all}) and the
     * load's outcomes (clients and servers indexed as in the load).
     */
    public static Recovery of(int node, long killedAt, RegistrationWatch watch, int servers, int clients,
            List<Outcome> outcomes) {
        List<Integer> onNode = watch.agentsOn(node, killedAt);
        int reRegistered = 0;
        long first = Long.MAX_VALUE;
        long last = -1;
        for (int agent : onNode) {
            OptionalLong at = watch.registeredElsewhere(agent, node, killedAt);
            if (at.isPresent()) {
                reRegistered++;
                first = Math.min(first, at.getAsLong() - killedAt);
                last = Math.max(last, at.getAsLong() - killedAt);
            }
        }
        long[][] firstSa = new long[clients][servers];
        boolean[][] asked = new boolean[clients][servers];
        long firstAny = Long.MAX_VALUE;
        for (Outcome o : outcomes) {
            if (o.sentNanos() <= killedAt) {
                continue;
            }
            asked[o.client()][o.server()] = true;
            if (o.ok()) {
                long t = o.doneNanos() - killedAt;
                if (firstSa[o.client()][o.server()] == 0 || t < firstSa[o.client()][o.server()]) {
                    firstSa[o.client()][o.server()] = t;
                }
                firstAny = Math.min(firstAny, t);
            }
        }
        int pairs = 0;
        int served = 0;
        long all = 0;
        long moved = 0;
        boolean allServed = true;
        boolean movedServed = true;
        boolean anyMoved = false;
        for (int c = 0; c < clients; c++) {
            for (int s = 0; s < servers; s++) {
                if (!asked[c][s]) {
                    continue;
                }
                pairs++;
                boolean ofNode = onNode.contains(s) || onNode.contains(servers + c);
                anyMoved |= ofNode;
                if (firstSa[c][s] > 0) {
                    served++;
                    all = Math.max(all, firstSa[c][s]);
                    if (ofNode) {
                        moved = Math.max(moved, firstSa[c][s]);
                    }
                } else {
                    allServed = false;
                    movedServed &= !ofNode;
                }
            }
        }
        return new Recovery(node, onNode.size(), reRegistered, first == Long.MAX_VALUE ? -1 : millis(first),
                reRegistered == onNode.size() ? millis(last) : -1, pairs, served,
                firstAny == Long.MAX_VALUE ? -1 : millis(firstAny), allServed ? millis(all) : -1,
                anyMoved && movedServed ? millis(moved) : -1);
    }

    private static long millis(long nanos) {
        return nanos < 0 ? -1 : nanos / 1_000_000;
    }
}
