package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.bench.cluster.ClusterAgents;
import dev.siptls.bench.cluster.ClusterLayout;
import dev.siptls.bench.cluster.ClusterProcesses;
import dev.siptls.bench.cluster.PairLoad;
import dev.siptls.bench.cluster.PairLoad.Outcome;
import dev.siptls.bench.cluster.Recovery;
import dev.siptls.bench.cluster.RegistrationWatch;
import dev.siptls.protocol.SecurityAssociation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three key servers as one cluster, each {@code sip-tls server --config <file>} in a JVM of its own, with 6 client
 * and 3 TLS-server agents of this JVM spread over them (each agent given all three, starting at a different one),
 * clients asking for SAs with the servers the whole time, 2 in flight each. Node 1 is killed with SIGKILL, and
 * restarted on its file later; then node 2 is stopped with SIGSTOP (a hung node) and continued.
 *
 * <p>Checked: no SA issued twice (no session id received twice, none accepted twice by the server agents, every
 * client's SA accepted by its server agent, the agents' own counts equal to the answers); every request answered,
 * by an SA or a clean refusal or failure the provider falls back on, none open after the load stops; the dead
 * node's agents registered with the others again; the nodes' SA counters adding up to the SAs received, but for
 * the requests in flight at the kill; the restarted node serving again, both ways. The times are printed, not
 * asserted: this machine is shared.
 */
@Timeout(300)
class ClusterFaultTest {

    private static final int NODES = 3;
    private static final int CLIENTS = 6;
    private static final int SERVERS = 3;
    private static final int IN_FLIGHT = 2;
    private static final ClusterAgents.Timing TIMING = new ClusterAgents.Timing(Duration.ofSeconds(3),
            Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(1));
    /** Waits for what must happen (it is the count that is asserted), long enough for a loaded machine. */
    private static final Duration PATIENCE = Duration.ofSeconds(40);
    private static final int KILLED = 1;
    private static final int STOPPED = 2;
    /** The refusals and failures an agent's provider falls back on (or refuses on, under fallback=fail). */
    private static final Set<String> CLEAN = Set.of("503", "480", "408", "timeout", "no key server");

    @TempDir
    Path temp;

    @Test
    void aNodeKilledAndRestartedAndAHungNodeLoseNoRequestAndIssueNoSaTwice() throws Exception {
        ClusterLayout layout = ClusterLayout.write(temp, "fault", NODES);
        long started = System.nanoTime();
        try (ClusterProcesses cluster = ClusterProcesses.start(layout);
                ClusterAgents agents = ClusterAgents.start(layout, CLIENTS, SERVERS, TIMING)) {
            long up = System.nanoTime();
            for (int i = 0; i < NODES; i++) {
                cluster.probe(i); // attached now, so reading a counter right before the kill is quick
            }
            List<SipTlsAgent> all = agents.all();
            RegistrationWatch watch = RegistrationWatch.start(all, agents::nodeOf);
            for (int n = 0; n < NODES; n++) {
                assertTrue(!watch.agentsOn(n, System.nanoTime()).isEmpty(), "no agent on node " + n);
            }
            PairLoad load = PairLoad.start(agents.clients(), agents.serverAors(), IN_FLIGHT);
            TimeUnit.SECONDS.sleep(4);

            // kill -9 of node 1, its last count read just before
            long issuedByKilled = cluster.probe(KILLED).associationsIssued();
            long killedAt = System.nanoTime();
            cluster.kill(KILLED);
            List<Integer> moved = watch.agentsOn(KILLED, killedAt);
            await("the killed node's agents registered elsewhere", () -> moved.stream()
                    .allMatch(a -> watch.registeredElsewhere(a, KILLED, killedAt).isPresent()), cluster);
            TimeUnit.SECONDS.sleep(3);

            // restart on the same file: it rejoins, and serves agents registered on it and on the others
            long restartAt = System.nanoTime();
            cluster.restart(KILLED);
            long rejoinedAt = System.nanoTime();
            cluster.probe(KILLED);
            SipTlsAgent newcomer = agents.extraClient("newcomer", KILLED);
            SipTlsAgent newServer = agents.extraServer("newserver", KILLED);
            assertTrue(newcomer.awaitRegistered(PATIENCE) && newServer.awaitPolicyAccepted(PATIENCE),
                    "agents registering with the restarted node: " + newcomer.lastError() + newServer.lastError());
            assertEquals(KILLED, agents.nodeOf(newcomer));
            assertEquals(KILLED, agents.nodeOf(newServer));
            List<SecurityAssociation> afterRestart = new ArrayList<>();
            for (String server : agents.serverAors()) {
                assertTrue(agents.nodeOf(agents.servers().get(agents.serverAors().indexOf(server))) != KILLED);
                afterRestart.add(newcomer.requestAssociation(server).get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
            }
            SipTlsAgent elsewhere = agents.clients().stream().filter(c -> agents.nodeOf(c) != KILLED).findFirst()
                    .orElseThrow();
            afterRestart.add(elsewhere.requestAssociation(newServer.aor()).get(PATIENCE.toSeconds(),
                    TimeUnit.SECONDS));
            long servedAgainAt = System.nanoTime();
            TimeUnit.SECONDS.sleep(2);

            // SIGSTOP of node 2: a hung node, found by the agents' keep-alives; then SIGCONT
            long stoppedAt = System.nanoTime();
            List<Integer> hung = watch.agentsOn(STOPPED, stoppedAt);
            cluster.suspend(STOPPED, true);
            try {
                await("the hung node's agents registered elsewhere", () -> hung.stream()
                        .allMatch(a -> watch.registeredElsewhere(a, STOPPED, stoppedAt).isPresent()), cluster);
            } finally {
                cluster.suspend(STOPPED, false);
            }
            long continuedAt = System.nanoTime();
            TimeUnit.SECONDS.sleep(3);

            int open = load.stopAndAwait(TIMING.requestTimeout().plusSeconds(5));
            watch.close();
            List<Outcome> outcomes = load.outcomes();
            long ended = System.nanoTime();

            // every request answered, each by an SA or a clean refusal or failure
            assertEquals(0, open, "requests still open after the load stopped");
            Map<String, Long> failures = new TreeMap<>();
            for (Outcome o : outcomes) {
                if (!o.ok()) {
                    failures.merge(o.failure(), 1L, Long::sum);
                }
            }
            for (String kind : failures.keySet()) {
                assertTrue(CLEAN.contains(kind.split(" ")[0]) || CLEAN.contains(kind), "unclean failure " + kind
                        + " in " + failures);
            }

            // no SA issued twice
            List<String> received = new ArrayList<>();
            outcomes.stream().filter(Outcome::ok).forEach(o -> received.add(o.sessionId()));
            afterRestart.forEach(sa -> received.add(sa.sessionIdHex()));
            Set<String> distinct = new HashSet<>(received);
            assertEquals(received.size(), distinct.size(), "a session id received twice");
            Map<String, Integer> accepted = agents.accepted();
            assertTrue(accepted.values().stream().allMatch(n -> n == 1), "an SA accepted twice by server agents");
            assertTrue(accepted.keySet().containsAll(distinct), "an SA received that no server agent accepted");
            long orphans = accepted.size() - distinct.size();
            Map<Integer, Long> okByClient = new HashMap<>();
            outcomes.stream().filter(Outcome::ok).forEach(o -> okByClient.merge(o.client(), 1L, Long::sum));
            for (int c = 0; c < CLIENTS; c++) {
                assertEquals(okByClient.getOrDefault(c, 0L).longValue(),
                        agents.clients().get(c).statistics().associationsObtained(), "SAs stored by client " + c);
            }

            // the nodes' counters: the killed process's last reading, the restarted one's, the others'
            long issued = issuedByKilled;
            long relayed = 0;
            Map<String, Long> refusals = new TreeMap<>();
            for (int i = 0; i < NODES; i++) {
                issued += cluster.probe(i).associationsIssued();
                relayed += cluster.probe(i).counter("RelayedToNodes");
                cluster.probe(i).refusals().forEach((k, v) -> refusals.merge(k, v, Long::sum));
            }
            long inFlightAtKill = (long) CLIENTS * IN_FLIGHT;
            assertTrue(Math.abs(issued - received.size()) <= inFlightAtKill, "nodes counted " + issued
                    + " SAs issued, clients received " + received.size());

            Recovery killed = Recovery.of(KILLED, killedAt, watch, SERVERS, CLIENTS, outcomes);
            Recovery stopped = Recovery.of(STOPPED, stoppedAt, watch, SERVERS, CLIENTS, outcomes);
            assertEquals(killed.agentsMoved(), killed.reRegistered());
            assertEquals(stopped.agentsMoved(), stopped.reRegistered());
            assertTrue(killed.agentsMoved() > 0 && stopped.agentsMoved() > 0, "agents on the failed nodes");

            System.out.printf("%nCluster fault test: 3 sip-tls server nodes, %d clients x %d servers, %d in flight "
                    + "per client; request timeout %d ms, keep-alive %d ms%n", CLIENTS, SERVERS, IN_FLIGHT,
                    TIMING.requestTimeout().toMillis(), TIMING.keepAlive().toMillis());
            System.out.printf("cluster up and agents registered in %d ms; node %d restarted (rejoined) in %d ms, "
                    + "served again both ways %d ms after its restart%n", ms(up - started), KILLED,
                    ms(rejoinedAt - restartAt), ms(servedAgainAt - restartAt));
            System.out.println("| fault | agents on the node | first re-registered | last re-registered "
                    + "| first SA asked after | every pair served again | pairs of the node's agents served again |");
            System.out.println("|---|---|---|---|---|---|---|");
            row("kill -9 node " + KILLED, killed);
            row("SIGSTOP node " + STOPPED, stopped);
            System.out.printf("requests %d: SAs %d, failed %d %s; open after the load: %d; longest answer %d ms%n",
                    outcomes.size(), outcomes.stream().filter(Outcome::ok).count(),
                    outcomes.stream().filter(o -> !o.ok()).count(), failures, open,
                    ms(outcomes.stream().mapToLong(Outcome::latencyNanos).max().orElse(0)));
            System.out.printf("failed per phase: before the kill %d, kill to re-registered %d, until the stop %d, "
                    + "stop to continue %d, after %d%n", failed(outcomes, 0, killedAt + 1),
                    failed(outcomes, killedAt, killedAt + ms2ns(killed.lastMs()) + 1),
                    failed(outcomes, killedAt + ms2ns(killed.lastMs()), stoppedAt),
                    failed(outcomes, stoppedAt, continuedAt), failed(outcomes, continuedAt, ended));
            System.out.printf("SAs received %d (distinct %d), accepted by server agents %d (orphans: accepted, no "
                    + "200 received: %d); nodes counted %d issued (killed node %d before the kill), %d relayed "
                    + "between nodes; refusals %s%n", received.size(), distinct.size(), accepted.size(), orphans,
                    issued, issuedByKilled, relayed, refusals);
            assertTrue(orphans <= inFlightAtKill * 2, "accepted but never received: " + orphans);
        }
    }

    private static void row(String fault, Recovery r) {
        System.out.printf("| %s | %d | %d ms | %d ms | %d ms | %s | %s |%n", fault, r.agentsMoved(), r.firstMs(),
                r.lastMs(), r.firstSaMs(), r.allPairsMs() < 0 ? r.pairsServed() + "/" + r.pairs() + " pairs"
                        : r.allPairsMs() + " ms", r.movedPairsMs() < 0 ? "-" : r.movedPairsMs() + " ms");
    }

    private static long failed(List<Outcome> outcomes, long from, long to) {
        return outcomes.stream().filter(o -> !o.ok() && o.doneNanos() >= from && o.doneNanos() < to).count();
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static long ms2ns(long millis) {
        return Math.max(0, millis) * 1_000_000;
    }

    private static void await(String what, BooleanSupplier condition, ClusterProcesses cluster)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder out = new StringBuilder();
                for (int i = 0; i < NODES; i++) {
                    out.append("\n--- node ").append(i).append(":\n").append(cluster.output(i));
                }
                throw new AssertionError("not within " + PATIENCE.toSeconds() + " s: " + what + out);
            }
            Thread.sleep(20);
        }
    }
}
