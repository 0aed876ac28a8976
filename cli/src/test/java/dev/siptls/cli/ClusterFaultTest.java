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
import java.time.LocalTime;
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
 * restarted on its file later; in the second test, on a fresh cluster, node 2 is hung with SIGSTOP, then continued.
 *
 * <p>Checked: no SA issued twice (no session id received twice, none accepted twice by the server agents, every
 * client's SA accepted by its server agent, the agents' own counts equal to the answers); every request answered,
 * by an SA or a clean refusal or failure the provider falls back on, none open after the load stops; the dead
 * node's agents all registered with the others again; the nodes' SA counters adding up to the SAs received, but
 * for the requests in flight at the kill; the restarted node serving again, both ways. The times are printed, not
 * asserted: this machine is shared.
 */
@Timeout(300)
class ClusterFaultTest {

    private static final int NODES = 3;
    private static final int CLIENTS = 6;
    private static final int SERVERS = 3;
    private static final int IN_FLIGHT = 2;
    private static final long IN_FLIGHT_TOTAL = (long) CLIENTS * IN_FLIGHT;
    private static final ClusterAgents.Timing TIMING = new ClusterAgents.Timing(Duration.ofSeconds(3),
            Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(1));
    /** Waits for what must happen (it is the count that is asserted), long enough for a loaded machine. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int KILLED = 1;
    private static final int HUNG = 2;
    /** The refusals and failures an agent's provider falls back on (or refuses on, under fallback=fail). */
    private static final Set<String> CLEAN = Set.of("503", "480", "408", "timeout", "no key server");

    @TempDir
    Path temp;

    @Test
    void aNodeKilledAndRestartedLosesNoRequestAndIssuesNoSaTwice() throws Exception {
        ClusterLayout layout = ClusterLayout.write(temp, "fault", NODES);
        long started = System.nanoTime();
        try (ClusterProcesses cluster = ClusterProcesses.start(layout);
                ClusterAgents agents = ClusterAgents.start(layout, CLIENTS, SERVERS, TIMING)) {
            long up = System.nanoTime();
            for (int i = 0; i < NODES; i++) {
                cluster.probe(i); // attached now, so reading a counter right before the kill is quick
            }
            RegistrationWatch watch = RegistrationWatch.start(agents.all(), agents::nodeOf);
            for (int n = 0; n < NODES; n++) {
                assertTrue(!watch.agentsOn(n, System.nanoTime()).isEmpty(), "no agent on node " + n);
            }
            PairLoad load = PairLoad.start(agents.clients(), agents.serverAors(), IN_FLIGHT);
            TimeUnit.SECONDS.sleep(4);

            // kill -9 of node 1, its count read just before
            long issuedByKilled = cluster.probe(KILLED).associationsIssued();
            long killedAt = System.nanoTime();
            progress("kill -9 node " + KILLED);
            cluster.kill(KILLED);
            List<Integer> moved = watch.agentsOn(KILLED, killedAt);
            await("the killed node's agents registered elsewhere", () -> moved.stream()
                    .allMatch(a -> watch.registeredElsewhere(a, KILLED, killedAt).isPresent()), cluster);
            progress("its agents registered elsewhere");
            TimeUnit.SECONDS.sleep(3);

            // restart on the same file: it rejoins, and serves agents registered on it and on the others
            long restartAt = System.nanoTime();
            progress("restarting node " + KILLED);
            cluster.restart(KILLED);
            long rejoinedAt = System.nanoTime();
            progress("node " + KILLED + " rejoined");
            cluster.probe(KILLED);
            SipTlsAgent newcomer = agents.extraClient("newcomer", KILLED);
            SipTlsAgent newServer = agents.extraServer("newserver", KILLED);
            assertTrue(newcomer.awaitRegistered(PATIENCE) && newServer.awaitPolicyAccepted(PATIENCE),
                    "agents registering with the restarted node: " + newcomer.lastError() + newServer.lastError()
                            + cluster.logs(40));
            assertEquals(KILLED, agents.nodeOf(newcomer), "the newcomer's node");
            assertEquals(KILLED, agents.nodeOf(newServer), "the new server's node");
            List<SecurityAssociation> extra = new ArrayList<>();
            for (SipTlsAgent server : agents.servers()) {
                assertTrue(agents.nodeOf(server) != KILLED, server.aor() + " moved back");
                extra.add(newcomer.requestAssociation(server.aor()).get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
            }
            SipTlsAgent elsewhere = agents.clients().stream().filter(c -> agents.nodeOf(c) != KILLED).findFirst()
                    .orElseThrow();
            extra.add(elsewhere.requestAssociation(newServer.aor()).get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
            long servedAgainAt = System.nanoTime();
            progress("the restarted node served SAs both ways");
            TimeUnit.SECONDS.sleep(2);

            int open = load.stopAndAwait(TIMING.requestTimeout().plusSeconds(5));
            watch.close();
            List<Outcome> outcomes = load.outcomes();
            long ended = System.nanoTime();

            Map<String, Long> failures = checkAnswered(outcomes, open);
            Checked sas = checkNoSaTwice(outcomes, extra, Map.of(agents.clients().indexOf(elsewhere), 1L), agents);
            // the nodes' counters: the killed process's last reading, the restarted one's, the others'
            long issued = issuedByKilled;
            long relayed = 0;
            Map<String, Long> refusals = new TreeMap<>();
            for (int i = 0; i < NODES; i++) {
                issued += cluster.probe(i).associationsIssued();
                relayed += cluster.probe(i).counter("RelayedToNodes");
                cluster.probe(i).refusals().forEach((k, v) -> refusals.merge(k, v, Long::sum));
            }
            // A node counts an SA when it sends the client's 200: those sent by the killed node after its last
            // reading, and those lost with it on the way, are at most the requests in flight at the kill.
            assertTrue(Math.abs(issued - sas.received()) <= IN_FLIGHT_TOTAL, "nodes counted " + issued
                    + " SAs issued, clients received " + sas.received());
            assertTrue(sas.orphans() <= IN_FLIGHT_TOTAL, "accepted by a server agent, never received: "
                    + sas.orphans());
            Recovery killed = Recovery.of(KILLED, killedAt, watch, SERVERS, CLIENTS, outcomes);
            assertTrue(killed.agentsMoved() > 0, "agents on the killed node");
            assertEquals(killed.agentsMoved(), killed.reRegistered(), "agents of the killed node registered again");

            System.out.printf("%nCluster fault test: 3 sip-tls server nodes, %d clients x %d servers, %d in flight "
                    + "per client; agents' request timeout %d ms, keep-alive %d ms%n", CLIENTS, SERVERS, IN_FLIGHT,
                    TIMING.requestTimeout().toMillis(), TIMING.keepAlive().toMillis());
            System.out.printf("cluster up and agents registered in %d ms; node %d restarted and rejoined in %d ms, "
                    + "served both ways %d ms after its restart began%n", ms(up - started), KILLED,
                    ms(rejoinedAt - restartAt), ms(servedAgainAt - restartAt));
            System.out.println("| fault | agents on the node | first re-registered | last re-registered "
                    + "| first SA asked after | every pair served again | pairs of the moved agents served again |");
            System.out.println("|---|---|---|---|---|---|---|");
            row("kill -9 node " + KILLED, killed);
            System.out.printf("requests %d: SAs %d, failed %d %s; open after the load: %d; longest answer %d ms%n",
                    outcomes.size(), outcomes.stream().filter(Outcome::ok).count(),
                    outcomes.stream().filter(o -> !o.ok()).count(), failures, open,
                    ms(outcomes.stream().mapToLong(Outcome::latencyNanos).max().orElse(0)));
            long reRegistered = killedAt + Math.max(0, killed.lastMs()) * 1_000_000 + 1;
            System.out.printf("failed by phase: before the kill %d, kill to last re-registered %d, then to the "
                    + "restart %d, restart to served %d, after %d%n", failed(outcomes, 0, killedAt),
                    failed(outcomes, killedAt, reRegistered), failed(outcomes, reRegistered, restartAt),
                    failed(outcomes, restartAt, servedAgainAt), failed(outcomes, servedAgainAt, ended));
            System.out.printf("SAs received %d (distinct %d), accepted by server agents %d (accepted, no 200 "
                    + "received: %d); nodes counted %d issued (the killed one %d before the kill), %d relayed between "
                    + "nodes; refusals %s%n", sas.received(), sas.distinct(), sas.accepted(), sas.orphans(), issued,
                    issuedByKilled, relayed, refusals);
        }
    }

    /**
     * A node hung (SIGSTOP: its sockets open and silent) under the same load, then continued (SIGCONT): its agents
     * find it lost by their keep-alives and register with the others, which go on serving; afterwards every client
     * gets an SA with every server again. Same checks on the answers and the SAs as above.
     */
    @Test
    void aHungNodeIsLeftByItsAgentsAndTheOthersServeOn() throws Exception {
        ClusterLayout layout = ClusterLayout.write(temp, "hang", NODES);
        try (ClusterProcesses cluster = ClusterProcesses.start(layout);
                ClusterAgents agents = ClusterAgents.start(layout, CLIENTS, SERVERS, TIMING)) {
            for (int i = 0; i < NODES; i++) {
                cluster.probe(i);
            }
            RegistrationWatch watch = RegistrationWatch.start(agents.all(), agents::nodeOf);
            PairLoad load = PairLoad.start(agents.clients(), agents.serverAors(), IN_FLIGHT);
            TimeUnit.SECONDS.sleep(4);
            long stoppedAt = System.nanoTime();
            List<Integer> hung = watch.agentsOn(HUNG, stoppedAt);
            progress("SIGSTOP node " + HUNG);
            cluster.suspend(HUNG, true);
            try {
                await("the hung node's agents registered elsewhere", () -> hung.stream()
                        .allMatch(a -> watch.registeredElsewhere(a, HUNG, stoppedAt).isPresent()), cluster);
                progress("its agents registered elsewhere");
                TimeUnit.SECONDS.sleep(3);
            } finally {
                cluster.suspend(HUNG, false);
                progress("SIGCONT node " + HUNG);
            }
            long continuedAt = System.nanoTime();
            TimeUnit.SECONDS.sleep(3);
            int open = load.stopAndAwait(TIMING.requestTimeout().plusSeconds(5));
            watch.close();
            List<Outcome> outcomes = load.outcomes();
            // then every client gets an SA with every server again, wherever both are registered now
            List<SecurityAssociation> extra = new ArrayList<>();
            Map<Integer, Long> extraByClient = new HashMap<>();
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            for (int c = 0; c < CLIENTS; c++) {
                for (SipTlsAgent server : agents.servers()) {
                    SecurityAssociation sa = null;
                    String last = null;
                    while (sa == null && System.nanoTime() < deadline) {
                        try {
                            sa = agents.clients().get(c).requestAssociation(server.aor())
                                    .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                        } catch (java.util.concurrent.ExecutionException e) {
                            last = String.valueOf(e.getCause());
                            TimeUnit.MILLISECONDS.sleep(200);
                        }
                    }
                    assertTrue(sa != null, "client" + c + " got no SA with " + server.aor() + " after the hang: "
                            + last + cluster.logs(40));
                    extra.add(sa);
                    extraByClient.merge(c, 1L, Long::sum);
                }
            }
            long servedAt = System.nanoTime();

            Map<String, Long> failures = checkAnswered(outcomes, open);
            Checked sas = checkNoSaTwice(outcomes, extra, extraByClient, agents);
            long issued = 0;
            for (int i = 0; i < NODES; i++) {
                issued += cluster.probe(i).associationsIssued();
            }
            // the hung node's 200s for requests in flight when it stopped are sent, if at all, to agents gone
            assertTrue(Math.abs(issued - sas.received()) <= IN_FLIGHT_TOTAL, "nodes counted " + issued
                    + " SAs issued, clients received " + sas.received());
            Recovery stopped = Recovery.of(HUNG, stoppedAt, watch, SERVERS, CLIENTS, outcomes);
            assertTrue(stopped.agentsMoved() > 0, "agents on the hung node");
            assertEquals(stopped.agentsMoved(), stopped.reRegistered(), "agents of the hung node registered again");
            System.out.println("| fault | agents on the node | first re-registered | last re-registered "
                    + "| first SA asked after | every pair served again | pairs of the moved agents served again |");
            System.out.println("|---|---|---|---|---|---|---|");
            row("SIGSTOP node " + HUNG, stopped);
            System.out.printf("requests %d: SAs %d, failed %d %s; stop to continue %d failed; every pair served "
                    + "again %d ms after the continue; SAs received %d, nodes counted %d%n", outcomes.size(),
                    outcomes.stream().filter(Outcome::ok).count(), outcomes.stream().filter(o -> !o.ok()).count(),
                    failures, failed(outcomes, stoppedAt, continuedAt), ms(servedAt - continuedAt), sas.received(),
                    issued);
        }
    }

    /** SAs as the agents saw them. */
    private record Checked(long received, long distinct, long accepted, long orphans) {
    }

    /** Every request answered, by an SA or a clean refusal or failure; returns the failures by kind. */
    private static Map<String, Long> checkAnswered(List<Outcome> outcomes, int open) {
        assertEquals(0, open, "requests still open after the load stopped");
        Map<String, Long> failures = new TreeMap<>();
        for (Outcome o : outcomes) {
            if (!o.ok()) {
                failures.merge(o.failure(), 1L, Long::sum);
            }
        }
        for (String kind : failures.keySet()) {
            assertTrue(CLEAN.contains(kind) || CLEAN.contains(kind.split(" ")[0]), "unclean failure " + kind
                    + " in " + failures);
        }
        assertTrue(outcomes.stream().anyMatch(Outcome::ok), "no SA at all");
        return failures;
    }

    /**
     * No session id received twice or accepted twice, every one received accepted, the client agents' counts equal
     * to the SAs they answered with ({@code extraByClient}: SAs a client got outside the load).
     */
    private static Checked checkNoSaTwice(List<Outcome> outcomes, List<SecurityAssociation> extra,
            Map<Integer, Long> extraByClient, ClusterAgents agents) {
        List<String> received = new ArrayList<>();
        outcomes.stream().filter(Outcome::ok).forEach(o -> received.add(o.sessionId()));
        extra.forEach(sa -> received.add(sa.sessionIdHex()));
        Set<String> distinct = new HashSet<>(received);
        assertEquals(received.size(), distinct.size(), "a session id received twice");
        Map<String, Integer> accepted = agents.accepted();
        assertTrue(accepted.values().stream().allMatch(n -> n == 1), "an SA accepted twice by server agents");
        assertTrue(accepted.keySet().containsAll(distinct), "an SA received that no server agent accepted");
        Map<Integer, Long> okByClient = new HashMap<>(extraByClient);
        outcomes.stream().filter(Outcome::ok).forEach(o -> okByClient.merge(o.client(), 1L, Long::sum));
        for (int c = 0; c < agents.clients().size(); c++) {
            assertEquals(okByClient.getOrDefault(c, 0L).longValue(),
                    agents.clients().get(c).statistics().associationsObtained(), "SAs stored by client " + c);
        }
        return new Checked(received.size(), distinct.size(), accepted.size(), accepted.size() - distinct.size());
    }

    private static void row(String fault, Recovery r) {
        System.out.printf("| %s | %d | %d ms | %d ms | %d ms | %s | %s |%n", fault, r.agentsMoved(), r.firstMs(),
                r.lastMs(), r.firstSaMs(), r.allPairsMs() < 0 ? r.pairsServed() + "/" + r.pairs() + " pairs"
                        : r.allPairsMs() + " ms", r.movedPairsMs() < 0 ? "-" : r.movedPairsMs() + " ms");
    }

    /** A line with the wall-clock time, to read along the nodes' logs. */
    private static void progress(String what) {
        System.out.println(LocalTime.now() + " " + what);
    }

    private static long failed(List<Outcome> outcomes, long from, long to) {
        return outcomes.stream().filter(o -> !o.ok() && o.doneNanos() >= from && o.doneNanos() < to).count();
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static void await(String what, BooleanSupplier condition, ClusterProcesses cluster)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + PATIENCE.toSeconds() + " s: " + what + cluster.logs(80));
            }
            Thread.sleep(20);
        }
    }
}
