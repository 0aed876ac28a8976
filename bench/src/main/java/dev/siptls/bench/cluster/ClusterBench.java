package dev.siptls.bench.cluster;

import dev.siptls.bench.cluster.PairLoad.Outcome;
import dev.siptls.bench.demo.QuietLogs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * SA distribution by a cluster of key servers as deployed, with 1, 2 and 3 nodes (or the counts given) one after
 * the other in the same run: each node {@code sip-tls server --config <file>} in a JVM of its own
 * ({@link ClusterProcesses}), the agents real {@link dev.siptls.agent.SipTlsAgent}s in this JVM spread evenly
 * over the nodes, the same client load every time ({@link PairLoad}: every client asks the servers in turn, K in
 * flight each). Per cluster size: after a warm-up, a measuring window gives SAs per second, INVITE→200(SA)
 * latency, the key servers' CPU per SA summed over the nodes, and the share of SAs whose server leg went to
 * another node. Then, on the largest cluster of at least 3 nodes, under the same load, node 1 is killed with
 * SIGKILL: the time to the last of its agents registered with another node, and to the first SA again for every
 * pair. All against the 1-node run (or the smallest). First, as a baseline for what being a node costs, the same
 * with one key server alone (no {@code cluster.*} key): the row "alone".
 *
 * <p>Run: {@code java -cp sip-tls.jar dev.siptls.bench.cluster.ClusterBench [seconds] [node counts, e.g. 1,2,3]
 * [clients] [servers] [in flight per client] [warm-up seconds]} (defaults 10 1,2,3 6 3 4 10).
 */
public final class ClusterBench {

    private static final Duration RAMP = Duration.ofSeconds(1);
    private static final Duration RE_REGISTER_LIMIT = Duration.ofSeconds(40);
    /**
     * Keep-alives at 5 s, the provider's default timeout: a busy key server on a loaded machine is not taken for a
     * hung one (a killed one is seen at once, by its closed connection).
     */
    private static final ClusterAgents.Timing TIMING = new ClusterAgents.Timing(Duration.ofSeconds(3),
            Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1));

    private ClusterBench() {
    }

    /** What to run. */
    public record Settings(int seconds, List<Integer> nodes, int clients, int servers, int inFlight,
            int warmUpSeconds) {
        public static Settings defaults() {
            return new Settings(10, List.of(1, 2, 3), 6, 3, 4, 10);
        }

        static Settings parse(String[] args) {
            Settings d = defaults();
            return new Settings(
                    args.length > 0 ? Integer.parseInt(args[0]) : d.seconds(),
                    args.length > 1 ? Arrays.stream(args[1].split(",")).map(String::strip).map(Integer::valueOf)
                            .toList() : d.nodes(),
                    args.length > 2 ? Integer.parseInt(args[2]) : d.clients(),
                    args.length > 3 ? Integer.parseInt(args[3]) : d.servers(),
                    args.length > 4 ? Integer.parseInt(args[4]) : d.inFlight(),
                    args.length > 5 ? Integer.parseInt(args[5]) : d.warmUpSeconds());
        }
    }

    /** One cluster size's figures; {@code nodes} 0 for the key server alone. */
    public record SizeFigures(int nodes, long startMs, long sas, double perSecond, double p50Ms, double p99Ms,
            double cpuMsPerSa, double relayedShare, long failed, String firstFailure) {
    }

    /** The run's figures: one row per cluster size, and the kill on the largest, if any. */
    public record Report(Settings settings, List<SizeFigures> sizes, Recovery recovery, int recoveryNodes) {

        public String text() {
            StringBuilder out = new StringBuilder();
            SizeFigures base = sizes.stream().filter(f -> f.nodes() > 0).findFirst().orElse(sizes.get(0));
            out.append(String.format("%nSA distribution by a cluster: %d client agents x %d server agents, %d in flight"
                    + " per client, %d s window; ratios to the %d-node run%n", settings.clients(),
                    settings.servers(), settings.inFlight(), settings.seconds(), base.nodes()));
            out.append("| nodes | SAs/s | x | p50 ms | p99 ms | key-server CPU ms/SA (all nodes) | x "
                    + "| relayed between nodes | failed |\n");
            out.append("|---|---|---|---|---|---|---|---|---|\n");
            for (SizeFigures s : sizes) {
                out.append(String.format("| %s | %.0f | %.2f | %.2f | %.2f | %.3f | %.2f | %.0f%% | %d |%n",
                        s.nodes() == 0 ? "alone" : Integer.toString(s.nodes()),
                        s.perSecond(), s.perSecond() / base.perSecond(), s.p50Ms(), s.p99Ms(), s.cpuMsPerSa(),
                        s.cpuMsPerSa() / base.cpuMsPerSa(), 100 * s.relayedShare(), s.failed()));
            }
            for (SizeFigures s : sizes) {
                if (s.failed() > 0) {
                    out.append(String.format("%s: first failure: %s%n", s.nodes() == 0 ? "alone" : s.nodes() + " nodes",
                            s.firstFailure()));
                }
            }
            if (recovery != null) {
                Recovery r = recovery;
                out.append(String.format("kill -9 of 1 node of %d under that load: %d agents on it, the last "
                        + "registered with another node %d ms after (first %d ms); first SA asked after the kill "
                        + "%d ms; every pair served again %s; pairs of the moved agents %s%n", recoveryNodes,
                        r.agentsMoved(), r.lastMs(), r.firstMs(), r.firstSaMs(),
                        r.allPairsMs() < 0 ? r.pairsServed() + "/" + r.pairs() + " pairs" : r.allPairsMs() + " ms",
                        r.movedPairsMs() < 0 ? "-" : r.movedPairsMs() + " ms"));
            }
            return out.toString();
        }
    }

    public static void main(String[] args) throws Exception {
        try (QuietLogs quiet = new QuietLogs()) {
            run(Settings.parse(args), System.out);
        }
    }

    /** Runs the bench, printing progress and the report to {@code out}. */
    public static Report run(Settings s, PrintStream out) throws Exception {
        List<SizeFigures> sizes = new ArrayList<>();
        Recovery recovery = null;
        int largest = s.nodes().stream().mapToInt(Integer::intValue).max().orElse(1);
        int recoveryNodes = largest >= 3 ? largest : 0;
        List<Integer> runs = new ArrayList<>(List.of(0));
        runs.addAll(s.nodes());
        for (int size : runs) {
            int n = Math.max(1, size);
            Path dir = Files.createTempDirectory("sip-tls-cluster-bench");
            try {
                ClusterLayout layout = size == 0 ? ClusterLayout.alone(dir, "alone")
                        : ClusterLayout.write(dir, "bench" + n, n);
                long start = System.nanoTime();
                try (ClusterProcesses cluster = ClusterProcesses.start(layout);
                        ClusterAgents agents = ClusterAgents.start(layout, s.clients(), s.servers(), TIMING)) {
                    long startMs = (System.nanoTime() - start) / 1_000_000;
                    StringBuilder pids = new StringBuilder();
                    for (int i = 0; i < n; i++) {
                        cluster.probe(i);
                        pids.append(i == 0 ? "" : ", ").append(cluster.node(i).pid());
                    }
                    String what = size == 0 ? "alone" : n + " node(s)";
                    out.printf("%s: pids %s, up with the agents registered in %d ms%n", what, pids, startMs);
                    PairLoad warmUp = PairLoad.start(agents.clients(), agents.serverAors(), s.inFlight());
                    TimeUnit.SECONDS.sleep(s.warmUpSeconds());
                    warmUp.stopAndAwait(TIMING.requestTimeout().plusSeconds(5));
                    SizeFigures figures = measure(s, size, n, startMs, cluster, agents);
                    sizes.add(figures);
                    out.printf("%s: %d SAs in %d s, %d failed%n", what, figures.sas(), s.seconds(), figures.failed());
                    if (size == recoveryNodes) {
                        recovery = kill(s, cluster, agents);
                        out.printf("%d node(s): kill -9 of node 1: last agent registered elsewhere after %d ms%n", n,
                                recovery.lastMs());
                    }
                    for (int i = 0; i < n; i++) {
                        if (i != 1 || recovery == null) {
                            if (!cluster.node(i).isAlive()) {
                                throw new IllegalStateException("node " + i + " ended during the bench:\n"
                                        + cluster.output(i));
                            }
                        }
                    }
                }
            } finally {
                delete(dir);
            }
        }
        Report report = new Report(s, sizes, recovery, recoveryNodes);
        out.print(report.text());
        return report;
    }

    private static SizeFigures measure(Settings s, int size, int n, long startMs, ClusterProcesses cluster,
            ClusterAgents agents) throws Exception {
        long issued = sum(cluster, n, "SecurityAssociationsIssued");
        long relayed = sum(cluster, n, "RelayedToNodes");
        PairLoad load = PairLoad.start(agents.clients(), agents.serverAors(), s.inFlight());
        TimeUnit.NANOSECONDS.sleep(RAMP.toNanos());
        long cpu = cpu(cluster, n);
        long from = System.nanoTime();
        TimeUnit.SECONDS.sleep(s.seconds());
        long to = System.nanoTime();
        cpu = cpu(cluster, n) - cpu;
        int open = load.stopAndAwait(TIMING.requestTimeout().plusSeconds(5));
        issued = sum(cluster, n, "SecurityAssociationsIssued") - issued;
        relayed = sum(cluster, n, "RelayedToNodes") - relayed;
        List<Outcome> outcomes = load.outcomes();
        long[] latencies = outcomes.stream().filter(o -> o.ok() && o.doneNanos() >= from && o.doneNanos() < to)
                .mapToLong(Outcome::latencyNanos).sorted().toArray();
        List<Outcome> failed = outcomes.stream().filter(o -> !o.ok()).sorted(Comparator.comparingLong(
                Outcome::doneNanos)).toList();
        return new SizeFigures(size, startMs, latencies.length, latencies.length * 1e9 / (to - from),
                percentile(latencies, 0.50), percentile(latencies, 0.99),
                latencies.length == 0 ? 0 : cpu / 1e6 / latencies.length, issued == 0 ? 0 : (double) relayed / issued,
                failed.size() + open, failed.isEmpty() ? (open > 0 ? open + " request(s) unanswered" : null)
                        : failed.get(0).failure());
    }

    /** Under the same load, kills node 1 and measures how the agents and the SAs come back. */
    private static Recovery kill(Settings s, ClusterProcesses cluster, ClusterAgents agents) throws Exception {
        RegistrationWatch watch = RegistrationWatch.start(agents.all(), agents::nodeOf);
        PairLoad load = PairLoad.start(agents.clients(), agents.serverAors(), s.inFlight());
        try {
            TimeUnit.SECONDS.sleep(2);
            long killedAt = System.nanoTime();
            cluster.kill(1);
            List<Integer> moved = watch.agentsOn(1, killedAt);
            long deadline = killedAt + RE_REGISTER_LIMIT.toNanos();
            while (System.nanoTime() < deadline && !moved.stream()
                    .allMatch(a -> watch.registeredElsewhere(a, 1, killedAt).isPresent())) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            // then long enough for every pair to be asked for again
            TimeUnit.SECONDS.sleep(3);
            load.stopAndAwait(TIMING.requestTimeout().plusSeconds(5));
            return Recovery.of(1, killedAt, watch, s.servers(), s.clients(), load.outcomes());
        } finally {
            watch.close();
        }
    }

    private static long sum(ClusterProcesses cluster, int n, String counter) throws IOException {
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += cluster.probe(i).counter(counter);
        }
        return total;
    }

    private static long cpu(ClusterProcesses cluster, int n) throws IOException {
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += cluster.probe(i).cpuNanos();
        }
        return total;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            dir.toFile().deleteOnExit();
        }
    }
}
