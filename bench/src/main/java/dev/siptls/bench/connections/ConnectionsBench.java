package dev.siptls.bench.connections;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.bench.demo.QuietLogs;
import dev.siptls.bench.memory.BenchAgents;
import dev.siptls.bench.memory.ForkedKeyServer;
import dev.siptls.bench.memory.ProcessFigures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Agents on their own connections, many: one real key server in a child JVM ({@link ForkedKeyServer}), and
 * a load generator ({@link LoadGenerator}) that registers up to {@code connections} agents, each on its own
 * mutual-TLS connection with its own certificate, then keeps them idle with CRLF keep-alives. Measured: the
 * ramp rate, the key server's threads and its live heap per idle registered connection (growth over the
 * ramp, after full collections), its CPU while they idle, and the latency of SA distribution among a few
 * real agents on their own connections to the same key server, before the ramp and with all the load
 * connections open, in the same run.
 *
 * <p>The ramp stops, and the figures are those of what it reached, when an agent fails to register, the key
 * server's threads pass {@code maxKeyServerThreads} (a transport with threads per connection would
 * otherwise take the machine's), or either process's open-file limit leaves no room: both raise theirs with
 * {@code prlimit --pid} where allowed ({@link FileLimit}); the connections asked for are cut to fit otherwise.
 * The load generator runs in this JVM: one descriptor per connection, like the key server, so the two
 * limits bind alike.
 *
 * <p>Run: {@code java -cp ... dev.siptls.bench.connections.ConnectionsBench [connections] [inFlight]
 * [saSeconds]}.
 */
public final class ConnectionsBench {

    static final int TARGET_CONNECTIONS = 20_000;
    static final int TARGET_THREADS = 64;
    static final long TARGET_BYTES_PER_CONNECTION = 16 * 1024;
    /** The open-file limit asked for both processes. */
    static final long FILE_LIMIT = 65_536;
    /** Descriptors kept free in each process besides the connections: class path, listener, agents, pipes. */
    private static final long FILE_HEADROOM = 128;
    private static final char[] CA_PASSWORD = "connections-bench".toCharArray();
    private static final String SERVER_AGENT = "bob";
    private static final int CERTIFICATE_BATCH = 2_500;

    /**
     * How much load, and how it is measured.
     *
     * @param inFlight agents between connect and registered at once
     * @param saSeconds how long each SA distribution run lasts (before the ramp, and with the connections open)
     * @param saClients client agents requesting SAs, each with {@code saInFlight} outstanding
     * @param maxKeyServerThreads the key server's thread count at which the ramp stops
     * @param idleSeconds how long the key server's CPU is measured with every connection idle
     * @param linger how long after the first SA run the key server's heap is measured at the earliest: JAIN-SIP
     *     keeps finished INVITE transactions and dialogs about a minute, which must not count as the connections'
     * @param tlsServers load agents that publish a TLS server's policy (a binding, a chain with its key proved)
     */
    public record Settings(int connections, int inFlight, double saSeconds, int saClients, int saInFlight,
            int maxKeyServerThreads, Duration keepAliveInterval, double idleSeconds, Duration linger, int tlsServers,
            int ioThreads, String keyServerHeap) {

        public Settings {
            if (connections < 1 || inFlight < 1 || saSeconds <= 0 || saClients < 1 || saInFlight < 1
                    || maxKeyServerThreads < 1 || idleSeconds <= 0 || tlsServers < 0 || ioThreads < 1) {
                throw new IllegalArgumentException("every count must be positive: " + this);
            }
        }

        /**
         * 20,000 connections, 16 registering at once, SAs for 10 s, keep-alives at an agent's interval. Not more
         * at once: handshakes are CPU-bound on 2 cores, so more in flight only lengthens each; at 64 they averaged
         * 2.2 s and some passed the key server's 5 s handshake timeout.
         */
        public static Settings defaults() {
            return new Settings(TARGET_CONNECTIONS, 16, 10, 4, 1, 2_000, SipTlsAgent.DEFAULT_KEEP_ALIVE_INTERVAL,
                    20, Duration.ofSeconds(70), 5, 2, "1g");
        }

        public Settings withSizes(int connections, int inFlight, double saSeconds) {
            return new Settings(connections, inFlight, saSeconds, saClients, saInFlight, maxKeyServerThreads,
                    keepAliveInterval, idleSeconds, linger, tlsServers, ioThreads, keyServerHeap);
        }
    }

    /** The figures of one run. */
    record Report(Settings settings, String keyServerLimit, String ownLimit, ForkedKeyServer.Descriptors keyServerFiles,
            long ownMaxFiles, int planned, int certificates, double certificateSeconds, LoadGenerator.Ramp ramp,
            ForkedKeyServer.Threads threadsBefore, int maxThreadsSeenInRamp, ForkedKeyServer.Threads threadsIdle,
            ForkedKeyServer.Heap heapBefore, ForkedKeyServer.Heap heapIdle, double lingerWaitedSeconds,
            ForkedKeyServer.Counts counts, ForkedKeyServer.Closes closes, double idleWindowSeconds, double idleCpuMillisPerSecond,
            LoadGenerator.Traffic idleTraffic, LoadGenerator.Traffic total, AssociationLoad.Result before,
            AssociationLoad.Result after, int ioThreads, double totalSeconds) {

        int reached() {
            return ramp.registered();
        }

        long bytesPerConnection() {
            return reached() == 0 ? 0 : (heapIdle.usedBytes() - heapBefore.usedBytes()) / reached();
        }

        double p50Ratio() {
            return after.percentileMillis(0.5) / before.percentileMillis(0.5);
        }

        double p99Ratio() {
            return after.percentileMillis(0.99) / before.percentileMillis(0.99);
        }
    }

    private ConnectionsBench() {
    }

    public static void main(String[] args) throws Exception {
        Settings d = Settings.defaults();
        Settings settings = d.withSizes(args.length > 0 ? Integer.parseInt(args[0]) : d.connections(),
                args.length > 1 ? Integer.parseInt(args[1]) : d.inFlight(),
                args.length > 2 ? Double.parseDouble(args[2]) : d.saSeconds());
        try (QuietLogs quiet = new QuietLogs()) {
            print(run(settings, System.out::println));
        }
    }

    /** Runs the bench; {@code progress} hears what it is doing (a line each step). */
    static Report run(Settings s, java.util.function.Consumer<String> progress) throws Exception {
        long start = System.nanoTime();
        BenchAgents pki = new BenchAgents();
        String ownLimit = FileLimit.raise(ProcessHandle.current().pid(), FILE_LIMIT);
        List<SipTlsAgent> agents = new ArrayList<>();
        try (ForkedKeyServer keyServer = ForkedKeyServer.start(pki.ca(), s.keyServerHeap())) {
            String keyServerLimit = FileLimit.raise(keyServer.pid(), FILE_LIMIT);
            try {
                agents.add(pki.start(keyServer.address(), SERVER_AGENT, pki.serverPolicy("www"), 1_000));
                for (int i = 0; i < s.saClients(); i++) {
                    agents.add(pki.start(keyServer.address(), "client" + i, pki.clientPolicy(), 100_000));
                }
                BenchAgents.awaitRegistered(agents, Duration.ofSeconds(30));
                List<SipTlsAgent> clients = agents.subList(1, agents.size());
                String server = BenchAgents.aor(SERVER_AGENT);

                ForkedKeyServer.Descriptors files = keyServer.files();
                long ownMax = ProcessFigures.maxFiles();
                long room = Math.min(files.max() - files.open(), ownMax - ProcessFigures.openFiles()) - FILE_HEADROOM;
                int planned = (int) Math.max(0, Math.min(s.connections(), room));
                progress.accept(String.format(Locale.ROOT, "open-file limits: key server %,d (%s), load generator "
                        + "%,d (%s): %,d of %,d connections fit", files.max(), keyServerLimit, ownMax, ownLimit,
                        planned, s.connections()));
                AgentCertificates certificates = new AgentCertificates(pki.ca(), CA_PASSWORD, planned,
                        i -> BenchAgents.aor("load" + i));

                ForkedKeyServer.Threads threadsBefore = keyServer.threads();
                ForkedKeyServer.Heap heapBefore = keyServer.heap();
                AssociationLoad.run(clients, server, Math.min(5, s.saSeconds()), s.saInFlight()); // warm-up
                AssociationLoad.Result before = AssociationLoad.run(clients, server, s.saSeconds(), s.saInFlight());
                long saEnd = System.nanoTime();
                progress.accept(String.format(Locale.ROOT, "SAs before the ramp: %,d (%.0f/s), p50 %.2f ms, p99 %.2f "
                        + "ms, %d failed%s", before.count(), before.perSecond(), before.percentileMillis(0.5),
                        before.percentileMillis(0.99), before.failed(),
                        before.firstError() == null ? "" : " (" + before.firstError() + ")"));

                try (LoadGenerator generator = new LoadGenerator(pki, certificates, keyServer.address(),
                        s.tlsServers(), s.keepAliveInterval(), s.ioThreads())) {
                    int[] maxThreads = {threadsBefore.live()};
                    LoadGenerator.StopCheck stop = () -> {
                        if (!keyServer.isAlive()) {
                            return "the key server exited (" + keyServer.exitValue() + ")";
                        }
                        int live = keyServer.threads().live();
                        maxThreads[0] = Math.max(maxThreads[0], live);
                        return live > s.maxKeyServerThreads() ? String.format(Locale.ROOT,
                                "the key server's threads passed the cap: %,d > %,d", live, s.maxKeyServerThreads())
                                : null;
                    };
                    // Certificates are issued a batch at a time, between parts of the ramp (their time not in
                    // the ramp's), so that a ramp that stops early has not waited for thousands it never uses.
                    LoadGenerator.Ramp ramp = LoadGenerator.Ramp.NONE;
                    for (int from = 0; from < planned && ramp.stopReason() == null; from += CERTIFICATE_BATCH) {
                        int to = Math.min(planned, from + CERTIFICATE_BATCH);
                        certificates.issueUpTo(to);
                        ramp = ramp.then(generator.ramp(from, to, s.inFlight(), stop, Duration.ofMillis(250)));
                        progress.accept(String.format(Locale.ROOT, "%,d registered", ramp.registered()));
                    }
                    progress.accept(String.format(Locale.ROOT, "%,d agent certificates issued in %.1f s",
                            certificates.count(), certificates.seconds()));
                    progress.accept(String.format(Locale.ROOT, "ramp: %,d registered in %.1f s (%.0f/s)%s",
                            ramp.registered(), ramp.seconds(), ramp.perSecond(),
                            ramp.stopReason() == null ? "" : "; stopped: " + ramp.stopReason()));

                    long wait = saEnd + s.linger().toNanos() - System.nanoTime();
                    if (wait > 0) {
                        progress.accept(String.format(Locale.ROOT, "waiting %.0f s for the SA runs' transactions "
                                + "to end before measuring heap", wait / 1e9));
                        Thread.sleep(wait / 1_000_000);
                    }
                    ForkedKeyServer.Heap heapIdle = keyServer.heap();
                    ForkedKeyServer.Threads threadsIdle = keyServer.threads();
                    ForkedKeyServer.Counts counts = keyServer.counts();
                    ForkedKeyServer.Closes closes = keyServer.closes();

                    LoadGenerator.Traffic traffic0 = generator.traffic();
                    long cpu0 = keyServer.cpuNanos();
                    long t0 = System.nanoTime();
                    Thread.sleep((long) (s.idleSeconds() * 1000));
                    long cpu1 = keyServer.cpuNanos();
                    double window = (System.nanoTime() - t0) / 1e9;
                    LoadGenerator.Traffic idle = generator.traffic().since(traffic0);
                    progress.accept(String.format(Locale.ROOT, "idle %.0f s: key server CPU %.1f ms/s, %,d pings, "
                            + "%,d pongs", window, (cpu1 - cpu0) / 1e6 / window, idle.pings(), idle.pongs()));

                    AssociationLoad.Result after = AssociationLoad.run(clients, server, s.saSeconds(), s.saInFlight());
                    ForkedKeyServer.Descriptors filesAfter = keyServer.files();
                    return new Report(s, keyServerLimit, ownLimit, filesAfter, ownMax, planned,
                            certificates.count(), certificates.seconds(), ramp, threadsBefore, maxThreads[0], threadsIdle, heapBefore,
                            heapIdle, Math.max(0, wait / 1e9), counts, closes, window, (cpu1 - cpu0) / 1e6 / window, idle,
                            generator.traffic(), before, after, generator.eventLoopThreads(),
                            (System.nanoTime() - start) / 1e9);
                }
            } finally {
                agents.forEach(SipTlsAgent::close);
            }
        }
    }

    static void print(Report r) {
        Settings s = r.settings();
        System.out.printf(Locale.ROOT, "Key server in a child JVM (-Xmx%s), load generator in this one (Netty NIO, %d "
                + "threads), %d SA client agents and 1 TLS server agent on their own connections; %d cores.%n",
                s.keyServerHeap(), r.ioThreads(), s.saClients(), Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-62s %16s %12s%n", "what", "measured", "target");
        row("registered agents, each on its own mutual-TLS connection", String.format(Locale.ROOT, "%,d", r.reached()),
                String.format(Locale.ROOT, ">= %,d", TARGET_CONNECTIONS), r.reached() >= TARGET_CONNECTIONS);
        row(String.format(Locale.ROOT, "key server threads, %,d connections idle (peak)", r.reached()),
                String.format(Locale.ROOT, "%,d (%,d)", r.threadsIdle().live(), r.threadsIdle().peak()),
                "<= " + TARGET_THREADS, r.threadsIdle().peak() <= TARGET_THREADS);
        row("key server heap per idle registered connection", String.format(Locale.ROOT, "%,d B",
                r.bytesPerConnection()), "<= 16 KiB", r.reached() > 0 && r.bytesPerConnection() <= TARGET_BYTES_PER_CONNECTION);
        row(String.format(Locale.ROOT, "SA requests failed (%,d before, %,d with the connections)", r.before().count(),
                r.after().count()), Long.toString(r.before().failed() + r.after().failed()), "0",
                r.before().failed() + r.after().failed() == 0);
        System.out.printf(Locale.ROOT, "- open-file limit: key server %,d (%s; %,d open at the end), load generator "
                        + "%,d (%s): %,d of the %,d connections asked for fit%n", r.keyServerFiles().max(),
                r.keyServerLimit(), r.keyServerFiles().open(), r.ownMaxFiles(), r.ownLimit(), r.planned(),
                s.connections());
        System.out.printf(Locale.ROOT, "- %,d agent certificates (EC P-256, one AOR each) issued in %.1f s, in batches between parts of "
                + "the ramp%n",
                r.certificates(), r.certificateSeconds());
        LoadGenerator.Ramp ramp = r.ramp();
        System.out.printf(Locale.ROOT, "- ramp: %,d agents registered (TLS handshake, REGISTER 200, policy MESSAGE 200) "
                        + "in %.1f s, %.0f/s with %d in flight, %.1f ms each on average; %d failed; %s%n",
                ramp.registered(), ramp.seconds(), ramp.perSecond(), s.inFlight(), ramp.meanRegisterMillis(),
                ramp.failed(), ramp.stopReason() == null ? "all asked for registered" : "stopped: " + ramp.stopReason());
        System.out.printf(Locale.ROOT, "- key server connections after the ramp: %s%n", r.closes());
        System.out.printf(Locale.ROOT, "- key server threads: %,d before the ramp, up to %,d during it, %,d idle "
                + "(peak %,d); key server holds %,d registrations, %,d policies%n", r.threadsBefore().live(),
                r.maxThreadsSeenInRamp(), r.threadsIdle().live(), r.threadsIdle().peak(), r.counts().registrations(),
                r.counts().policies());
        System.out.printf(Locale.ROOT, "- key server live heap: %s before the ramp, %s with the connections idle "
                + "(%.0f s after the SA runs); the difference includes what the %,d SAs before the ramp left (its replay "
                + "cache)%n", mib(r.heapBefore().usedBytes()), mib(r.heapIdle().usedBytes()),
                s.linger().toSeconds() + 0.0, r.before().count());
        System.out.printf(Locale.ROOT, "- idle, %.0f s: key server CPU %.1f ms per second (%.1f%% of a core); %,d CRLF "
                        + "keep-alives sent (every %d s per connection, jittered), %,d answered; %d registered "
                        + "connections lost in the whole run; %d requests from the key server%n",
                r.idleWindowSeconds(), r.idleCpuMillisPerSecond(), r.idleCpuMillisPerSecond() / 10,
                r.idleTraffic().pings(), s.keepAliveInterval().toSeconds(), r.idleTraffic().pongs(),
                r.total().dropped(), r.total().requests());
        System.out.printf(Locale.ROOT, "- SA distribution, %d clients x %d in flight, %.0f s each: before the ramp "
                        + "%.0f SAs/s, INVITE->200(SA) p50 %.2f ms, p99 %.2f ms; with %,d connections %.0f SAs/s, p50 "
                        + "%.2f ms, p99 %.2f ms (%.2fx, %.2fx)%n", s.saClients(), s.saInFlight(), s.saSeconds(),
                r.before().perSecond(), r.before().percentileMillis(0.5), r.before().percentileMillis(0.99),
                r.reached(), r.after().perSecond(), r.after().percentileMillis(0.5), r.after().percentileMillis(0.99),
                r.p50Ratio(), r.p99Ratio());
        for (AssociationLoad.Result run : List.of(r.before(), r.after())) {
            if (run.firstError() != null) {
                System.out.printf(Locale.ROOT, "- an SA request failed %s the ramp: %s%n", run == r.before() ? "before"
                        : "after", run.firstError());
            }
        }
        System.out.printf(Locale.ROOT, "- whole run %.0f s%n", r.totalSeconds());
    }

    private static void row(String what, String measured, String target, boolean met) {
        System.out.printf(Locale.ROOT, "%-62s %16s %12s  %s%n", what, measured, target, met ? "met" : "MISSED");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
