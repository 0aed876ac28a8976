package dev.siptls.cli;

import dev.siptls.bench.DistributionBench;
import dev.siptls.bench.FirstContactBench;
import dev.siptls.bench.HandshakeBench;
import dev.siptls.bench.LoadBench;
import dev.siptls.bench.cluster.ClusterBench;
import dev.siptls.bench.connections.ConnectionsBench;
import dev.siptls.bench.deployed.DeployedDistributionBench;
import dev.siptls.bench.memory.MemoryBench;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sip-tls bench}: the measured comparisons, each competitor in the same run, reported as ratios. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures, in one run: server CPU and wall time per handshake (SIP-resumed, BCJSSE native "
                + "resumption, BCJSSE and SunJSSE full handshakes), first contact with a prefetched SA against a "
                + "later connection and a full handshake, the key server's SA distribution rate "
                + "and INVITE->200(SA) latency (all in one JVM, and as deployed: `sip-tls server` in its own JVM, "
                + "the agents in this one, at 1 to 64 requests in flight, with the key server's CPU per SA and "
                + "live heap), and memory per registration and per SA in the key server (run "
                + "in a child JVM with -Xmx512m) and in the agent, against their targets; then a bounded load "
                + "run (client terminals x connections x TLS server terminals through one key server); then "
                + "many agents each on its own mutual-TLS connection to a key server in a child JVM (its threads, "
                + "heap per idle connection, and SA latency before and with them); then SA distribution by a "
                + "cluster of `sip-tls server` nodes (1, 2 and 3 nodes side by side: SAs/s, latency, key-server CPU "
                + "per SA over all nodes, share relayed between nodes) and the time from a node's kill -9 to the "
                + "last of its agents registered elsewhere."})
final class BenchCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Option(names = "--handshakes", paramLabel = "COUNT", description = "handshakes per way (default ${DEFAULT-VALUE})")
    int handshakes = 500;

    @Option(names = "--first-contacts", paramLabel = "COUNT",
            description = "peers contacted for the first time, per first-contact row (default ${DEFAULT-VALUE})")
    int firstContacts = 60;

    @Option(names = "--clients", paramLabel = "N", description = "client agents for the distribution rate (default ${DEFAULT-VALUE})")
    int clients = 8;

    @Option(names = "--in-flight", paramLabel = "K", description = "SA requests in flight per client agent (default ${DEFAULT-VALUE})")
    int inFlight = 4;

    @Option(names = "--seconds", paramLabel = "S",
            description = "duration of the distribution run, and of each level's measuring window in the deployed "
                    + "run and each size's in the cluster run (default ${DEFAULT-VALUE})")
    int seconds = 10;

    @Option(names = "--deployed-clients", paramLabel = "N",
            description = "client agents of the deployed run; K in flight use min(N, K) of them (default "
                    + "${DEFAULT-VALUE})")
    int deployedClients = DeployedDistributionBench.Settings.defaults().clients();

    @Option(names = "--levels", paramLabel = "K", split = ",",
            description = "requests in flight, in total, of the deployed run's levels (default 1,4,16,64)")
    int[] levels = DeployedDistributionBench.Settings.defaults().levels().stream().mapToInt(Integer::intValue)
            .toArray();

    @Option(names = "--warm-up", paramLabel = "S",
            description = "seconds of load before the deployed run's first level, and before each cluster size's "
                    + "window, so the JVMs are compiled (default ${DEFAULT-VALUE})")
    int warmUp = DeployedDistributionBench.Settings.defaults().warmUpSeconds();

    @Option(names = "--settle", paramLabel = "S",
            description = "seconds without load after the deployed run's last level before its live heap is read "
                    + "again; 0 skips (default ${DEFAULT-VALUE})")
    int settle = DeployedDistributionBench.Settings.defaults().settleSeconds();

    @Option(names = "--agents", paramLabel = "N",
            description = "agents, each on its own TLS connection, for memory per registered agent (default ${DEFAULT-VALUE})")
    int agents = MemoryBench.Settings.defaults().agents();

    @Option(names = "--registrations", paramLabel = "N",
            description = "AORs registered, with policies, over shared TLS connections (default ${DEFAULT-VALUE})")
    int registrations = MemoryBench.Settings.defaults().registrations();

    @Option(names = "--aors-per-connection", paramLabel = "N",
            description = "AORs one connection's certificate proves, for --registrations (default ${DEFAULT-VALUE})")
    int aorsPerConnection = MemoryBench.Settings.defaults().aorsPerConnection();

    @Option(names = "--associations", paramLabel = "N",
            description = "SAs distributed for memory per SA (default ${DEFAULT-VALUE})")
    int associations = MemoryBench.Settings.defaults().associations();

    @Option(names = "--load", paramLabel = "C:N:S:K", split = ":",
            description = "load run: C client terminals x N connections each to S TLS server terminals, K "
                    + "connections in flight (default ${DEFAULT-VALUE})")
    String[] load = {"200", "50", "20", "4"};

    @Option(names = "--connections", paramLabel = "N:K:S", split = ":",
            description = "connections run: N agents each on its own TLS connection, K registering at once, S "
                    + "seconds of SA load before and after (default ${DEFAULT-VALUE}); stops early, with what it "
                    + "reached, at a failed agent or 2,000 key-server threads")
    String[] connections = {Integer.toString(ConnectionsBench.Settings.defaults().connections()),
            Integer.toString(ConnectionsBench.Settings.defaults().inFlight()),
            Integer.toString((int) ConnectionsBench.Settings.defaults().saSeconds())};

    @Option(names = "--cluster-nodes", paramLabel = "N", split = ",",
            description = "cluster sizes of the cluster run, one after the other; the kill -9 is measured on the "
                    + "largest if it has 3 nodes or more (default 1,2,3)")
    int[] clusterNodes = ClusterBench.Settings.defaults().nodes().stream().mapToInt(Integer::intValue).toArray();

    @Option(names = "--cluster-load", paramLabel = "C:S:K", split = ":",
            description = "cluster run: C client agents asking S server agents for SAs in turn, K in flight per "
                    + "client, the same for every cluster size (default ${DEFAULT-VALUE})")
    String[] clusterLoad = {Integer.toString(ClusterBench.Settings.defaults().clients()),
            Integer.toString(ClusterBench.Settings.defaults().servers()),
            Integer.toString(ClusterBench.Settings.defaults().inFlight())};

    @Option(names = "--only", paramLabel = "SECTION", split = ",",
            description = "run only these sections: ${COMPLETION-CANDIDATES} (default: all)")
    Set<Section> only = EnumSet.allOf(Section.class);

    /** The parts of the benchmark, in the order they run. */
    enum Section { handshake, firstcontact, distribution, deployed, memory, load, connections, cluster }

    @Override
    public Integer call() throws Exception {
        if (only.contains(Section.handshake)) {
            System.out.println("== Handshake cost ==");
            HandshakeBench.main(new String[] {Integer.toString(handshakes)});
            System.out.println();
        }
        if (only.contains(Section.firstcontact)) {
            System.out.println("== First contact ==");
            FirstContactBench.main(new String[] {Integer.toString(firstContacts)});
            System.out.println();
        }
        if (only.contains(Section.distribution)) {
            System.out.println("== SA distribution ==");
            DistributionBench.main(new String[] {Integer.toString(clients), Integer.toString(seconds),
                    Integer.toString(inFlight)});
            System.out.println();
        }
        if (only.contains(Section.deployed)) {
            System.out.println("== SA distribution as deployed ==");
            DeployedDistributionBench.main(new String[] {Integer.toString(seconds), Integer.toString(deployedClients),
                    Arrays.stream(levels).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                    Integer.toString(warmUp), Integer.toString(settle)});
            System.out.println();
        }
        if (only.contains(Section.memory)) {
            System.out.println("== Memory ==");
            MemoryBench.main(new String[] {Integer.toString(agents), Integer.toString(registrations),
                    Integer.toString(associations), Integer.toString(aorsPerConnection)});
            System.out.println();
        }
        if (only.contains(Section.load)) {
            System.out.println("== Load ==");
            LoadBench.main(load);
            System.out.println();
        }
        if (only.contains(Section.connections)) {
            System.out.println("== Connections ==");
            ConnectionsBench.main(connections);
            System.out.println();
        }
        if (only.contains(Section.cluster)) {
            System.out.println("== SA distribution by a cluster ==");
            ClusterBench.main(new String[] {Integer.toString(seconds),
                    Arrays.stream(clusterNodes).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                    clusterLoad[0], clusterLoad[1], clusterLoad[2], Integer.toString(warmUp)});
        }
        return 0;
    }
}
