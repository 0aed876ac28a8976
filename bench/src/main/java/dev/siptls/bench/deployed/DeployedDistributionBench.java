package dev.siptls.bench.deployed;

import static dev.siptls.bench.DistributionAgents.agent;
import static dev.siptls.bench.DistributionAgents.identity;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.bench.demo.QuietLogs;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.TlsIdentity;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * SA distribution as deployed: the key server is {@code sip-tls server} in a JVM of its own ({@link CliKeyServer});
 * one TLS server agent and N client agents, real {@link SipTlsAgent}s, run in this JVM. After a warm-up, for each
 * level of requests in flight (in total over the client agents): a ramp, then a measuring window in which it
 * counts the SAs received, their INVITE→200(SA) latency, the key server process's CPU time and this JVM's; then
 * it drains the level and reads the key server's live heap (full collections forced over JMX). Failures (any
 * answer but a 200 with an SA, or a timeout) are counted over the whole level.
 *
 * <p>Run: {@code java -cp sip-tls.jar dev.siptls.bench.deployed.DeployedDistributionBench [seconds per level]
 * [client agents] [levels, comma-separated] [warm-up seconds] [settle seconds]} (defaults 10 16 1,4,16,64 20 45).
 * The settle is a wait after the last level before the heap is read once more: JAIN-SIP keeps finished
 * transactions up to 32 s.
 */
public final class DeployedDistributionBench {

    private static final List<String> SUITES = List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    private static final String SERVER_AOR = "sip:bob@example.com";
    static final Duration RAMP = Duration.ofSeconds(1);
    /** The warm-up runs at this many in flight, or the highest level if lower. */
    private static final int WARM_UP_IN_FLIGHT = 16;

    private DeployedDistributionBench() {
    }

    /**
     * What to run.
     *
     * @param clients client agents; a level of K in flight uses min(clients, K) of them, K/that each
     */
    public record Settings(int seconds, int clients, List<Integer> levels, int warmUpSeconds, int settleSeconds) {
        public static Settings defaults() {
            return new Settings(10, 16, List.of(1, 4, 16, 64), 20, 45);
        }

        static Settings parse(String[] args) {
            Settings d = defaults();
            return new Settings(
                    args.length > 0 ? Integer.parseInt(args[0]) : d.seconds(),
                    args.length > 1 ? Integer.parseInt(args[1]) : d.clients(),
                    args.length > 2 ? Arrays.stream(args[2].split(",")).map(String::strip).map(Integer::valueOf)
                            .toList() : d.levels(),
                    args.length > 3 ? Integer.parseInt(args[3]) : d.warmUpSeconds(),
                    args.length > 4 ? Integer.parseInt(args[4]) : d.settleSeconds());
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parse(args);
        try (QuietLogs quiet = new QuietLogs()) {
            run(settings, System.out);
        }
    }

    /** Runs the bench, printing progress and the report to {@code out}; returns the figures. */
    static DeployedReport run(Settings s, PrintStream out) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("SIP-TLS deployed bench CA");
        List<SipTlsAgent> agents = new ArrayList<>();
        try (CliKeyServer keyServer = CliKeyServer.start(ca);
                KeyServerProbe probe = KeyServerProbe.attach(keyServer.pid())) {
            try {
                return measure(s, out, keyServer, probe, ca, agents);
            } finally {
                // before the key server stops, or they would try to register again
                agents.forEach(SipTlsAgent::close);
            }
        }
    }

    private static DeployedReport measure(Settings s, PrintStream out, CliKeyServer keyServer, KeyServerProbe probe,
            CertificateAuthority ca, List<SipTlsAgent> agents) throws Exception {
        out.printf("key server: sip-tls server, pid %d, listening on %s, max heap %d MiB (JVM default)%n",
                keyServer.pid(), keyServer.address(), probe.maxHeapBytes() >> 20);
        agents.addAll(startAgents(ca, keyServer.address(), s.clients()));
        List<SipTlsAgent> clients = agents.subList(1, agents.size());
        long idleHeap = probe.liveHeapBytes();

        int warmUpLevel = Math.min(WARM_UP_IN_FLIGHT, s.levels().stream().mapToInt(Integer::intValue).max()
                .orElse(1));
        InFlightLoad warmUp = InFlightLoad.start(clients, SERVER_AOR, warmUpLevel);
        TimeUnit.SECONDS.sleep(s.warmUpSeconds());
        warmUp.stopAndAwait();
        out.printf("warm-up: %d s at %d in flight, %d SAs, %d failed%n", s.warmUpSeconds(), warmUpLevel,
                warmUp.completed(), warmUp.failures());

        List<LevelFigures> levels = new ArrayList<>();
        for (int inFlight : s.levels()) {
            LevelFigures level = level(clients, probe, inFlight, s.seconds());
            levels.add(level);
            out.printf("%d in flight: %d SAs in %d s, %d failed%s%n", inFlight, level.inWindow(), s.seconds(),
                    level.failures(), level.failures() == 0 ? "" : " (first: " + level.firstFailure() + ")");
        }
        Long settledHeap = null;
        if (s.settleSeconds() > 0) {
            TimeUnit.SECONDS.sleep(s.settleSeconds());
            settledHeap = probe.liveHeapBytes();
        }
        if (!keyServer.isAlive()) {
            throw new IllegalStateException("the key server process ended during the bench:\n"
                    + keyServer.output());
        }
        DeployedReport report = new DeployedReport(s, Runtime.getRuntime().availableProcessors(), idleHeap,
                warmUp.failures(), levels, settledHeap);
        out.print(report.text());
        return report;
    }

    private static LevelFigures level(List<SipTlsAgent> clients, KeyServerProbe probe, int inFlight, int seconds)
            throws Exception {
        long issuedBefore = probe.associationsIssued();
        InFlightLoad load = InFlightLoad.start(clients, SERVER_AOR, inFlight);
        TimeUnit.NANOSECONDS.sleep(RAMP.toNanos());
        long keyServerCpu = probe.cpuNanos();
        long agentsCpu = ownCpuNanos();
        long from = System.nanoTime();
        TimeUnit.SECONDS.sleep(seconds);
        long to = System.nanoTime();
        agentsCpu = ownCpuNanos() - agentsCpu;
        keyServerCpu = probe.cpuNanos() - keyServerCpu;
        load.stopAndAwait();
        long issued = probe.associationsIssued() - issuedBefore;
        return new LevelFigures(inFlight, load.agents(), to - from, load.latenciesCompletedBetween(from, to),
                load.failures(), load.firstFailure(), load.completed(), issued, keyServerCpu, agentsCpu,
                probe.liveHeapBytes());
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The TLS server's agent first, then the clients; all registered (and the server's policy accepted). */
    private static List<SipTlsAgent> startAgents(CertificateAuthority ca, InetSocketAddress keyServer, int clients)
            throws Exception {
        KeyStore trust = ca.trustStore();
        List<SipTlsAgent> agents = new ArrayList<>();
        try {
            TlsIdentity web = identity(ca, "www.example.com", List.of("www.example.com"), trust);
            agents.add(agent(keyServer, identity(ca, "bob", List.of(SERVER_AOR), trust), SERVER_AOR,
                    SecurityPolicy.builder().cipherSuites(SUITES).binding(new HostPort("www.example.com", 443))
                            .certificateChain(web.chain()).build(), web.privateKey()));
            for (int i = 0; i < clients; i++) {
                String aor = "sip:client" + i + "@example.com";
                agents.add(agent(keyServer, identity(ca, "client" + i, List.of(aor), trust), aor,
                        SecurityPolicy.builder().cipherSuites(SUITES).build(), null));
            }
            for (SipTlsAgent agent : agents) {
                if (!agent.awaitRegistered(Duration.ofSeconds(20))) {
                    throw new IllegalStateException(agent.aor() + " did not register: "
                            + agent.lastError().orElse("?"));
                }
            }
            if (!agents.get(0).awaitPolicyAccepted(Duration.ofSeconds(20))) {
                throw new IllegalStateException(SERVER_AOR + "'s policy was not accepted: "
                        + agents.get(0).lastError().orElse("?"));
            }
            return agents;
        } catch (Exception | Error e) {
            agents.forEach(SipTlsAgent::close);
            throw e;
        }
    }
}
