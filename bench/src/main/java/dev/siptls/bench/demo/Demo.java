package dev.siptls.bench.demo;

import dev.siptls.server.AuthorizationRule;
import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/**
 * {@code sip-tls demo}: reproduces the paper's evaluation (§4.1, Table 1) by counting and measuring. With
 * nothing to configure it issues identities from a throw-away CA, starts an embedded key server on a free
 * port, and runs the paper's two cases three ways on TLS 1.2 (traditional TLS, TLS resumption, SIP-TLS) and
 * SIP-TLS once more on TLS 1.3 (the SA an external PSK) over real loopback sockets, each terminal with its own
 * SIP-TLS provider; it prints Table 1 with the counted figures beside the paper's, the time per connection, and
 * writes a report with plots.
 */
public final class Demo {

    /**
     * The ways the sweep for the plots runs. SIP-TLS on TLS 1.3 counts SIP-TLS's 2n authentications at every n
     * (cases 1 and 2 show it), and sweeping it too would add about a quarter to the run's time (measured: the
     * TLS 1.2 SIP-TLS way's sweep takes that); it is warmed up on its own instead.
     */
    static final List<Way> SWEPT = List.of(Way.TRADITIONAL, Way.RESUMPTION, Way.SIP_TLS);
    /**
     * Connections per pair in the TLS 1.3 way's warm-up, in place of the sweep: 120 PSK handshakes warm its engine
     * and x25519 up, on only 12 SAs, whose distribution is what costs.
     */
    private static final int TLS13_WARM_UP_ROUNDS = 10;

    private Demo() {
    }

    /**
     * Runs the demo, printing progress and the tables to {@code out}.
     *
     * @return 0 on success, 1 if the run failed (the reason is printed)
     */
    public static int run(DemoOptions options, PrintStream out) {
        try {
            execute(options, out);
            return 0;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            out.println();
            out.println("sip-tls demo failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println();
            out.println("sip-tls demo interrupted");
            return 1;
        }
    }

    /** Runs the demo and returns what it counted, measured and wrote. */
    @SuppressWarnings("try") // the log levels and the counting provider are scoped by their resources only
    static DemoResult execute(DemoOptions options, PrintStream out)
            throws IOException, GeneralSecurityException, InterruptedException {
        long start = System.nanoTime();
        double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Progress progress = new Progress(out);
        out.printf(Locale.ROOT, "SIP-TLS demo: the paper's Table 1, counted (n = %d terminals, m = %d applications,"
                + " %d connections per pair; plots for n = %s)%n", options.terminals(), options.applications(),
                options.connectionsPerPair(), options.sweep());
        Path work = Files.createTempDirectory("sip-tls-demo-");
        Ledger ledger = new Ledger();
        try (QuietLogs quiet = new QuietLogs();
                CountingJsse.Installation counting = CountingJsse.install(ledger);
                LoopbackDesk desk = new LoopbackDesk(ledger)) {
            DemoPki pki = issueIdentities(options, progress);
            progress.step("starting the key server");
            try (KeyServer keyServer = KeyServer.start(KeyServerConfig.builder().identity(pki.keyServer()).port(0)
                    .name("sip-tls-demo").authorization(AuthorizationRule.sameDomain()).registerMBean(false)
                    .build())) {
                progress.done("tls:" + keyServer.address().getAddress().getHostAddress() + ":"
                        + keyServer.address().getPort());
                WayRun runs = new WayRun(new DemoEnvironment(ledger, pki, new TlsContexts(ledger, pki.trustStore()),
                        desk, keyServer, ProviderTerminal::configure, work));
                if (options.warmUp()) {
                    progress.step("warming up (not recorded)");
                    for (Way way : Way.values()) {
                        runs.run(way, Topology.case2(4), way == Way.SIP_TLS_13 ? TLS13_WARM_UP_ROUNDS : 2,
                                progress::tick);
                    }
                    progress.done("");
                }
                // The sweep first and from the largest n down: its first hundreds of handshakes finish warming the
                // JIT up, so that neither the small-n points of the plots nor the tables' figures run cold.
                List<SweepPoint> sweep = new ArrayList<>();
                List<Integer> largestFirst = new ArrayList<>(options.sweep());
                Collections.reverse(largestFirst);
                for (int n : largestFirst) {
                    sweep.add(0, new SweepPoint(n, runAll(runs, SWEPT, Topology.case2(n),
                            way -> sweepRounds(way, options), "Sweep for the plots, n = " + n, progress)));
                }
                List<Way> all = List.of(Way.values());
                Map<Way, WayResult> case1 = runAll(runs, all, Topology.case1(options.applications()),
                        way -> options.connectionsPerPair(), "Case 1, m = " + options.applications(), progress);
                Map<Way, WayResult> case2 = runAll(runs, all, Topology.case2(options.terminals()),
                        way -> options.connectionsPerPair(), "Case 2, n = " + options.terminals(), progress);
                return report(options, case1, case2, sweep, start, loadAtStart, out);
            }
        } finally {
            deleteQuietly(work);
        }
    }

    private static DemoPki issueIdentities(DemoOptions options, Progress progress)
            throws GeneralSecurityException, InterruptedException {
        progress.step("issuing identities from a throw-away CA");
        DemoPki pki = DemoPki.create();
        int terminals = Stream.of(options.terminals(), options.maxTerminalsForPlot(), 3)
                .max(Integer::compare).orElseThrow();
        pki.issueTerminals(terminals);
        progress.done(terminals + " terminals and the key server");
        return pki;
    }

    /** Writes report.md and the plots, prints the tables and where the report is. */
    private static DemoResult report(DemoOptions options, Map<Way, WayResult> case1, Map<Way, WayResult> case2,
            List<SweepPoint> sweep, long start, double loadAtStart, PrintStream out) throws IOException {
        Path dir = Files.createDirectories(options.reportDirectory());
        List<Path> plots = Plots.write(sweep, dir);
        Path report = dir.resolve("report.md");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        DemoResult result = new DemoResult(options, case1, case2, sweep, report, plots, elapsed, loadAtStart,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Report text = new Report(result);
        Files.writeString(report, text.markdown());
        out.println();
        out.print(text.console());
        out.printf(Locale.ROOT, "%nReport: %s (plots: %s)%nRun time: %.1f s%n", report.toAbsolutePath().normalize(),
                String.join(", ", plots.stream().map(p -> p.getFileName().toString()).toList()),
                elapsed.toMillis() / 1000.0);
        return result;
    }

    /**
     * Connections per pair in the sweep: traditional TLS connects each pair once, since its later connections
     * are full handshakes like its first (cases 1 and 2 measure them); the others connect a pair again, to show
     * what a later connection costs them.
     */
    static int sweepRounds(Way way, DemoOptions options) {
        return way == Way.TRADITIONAL ? 1 : options.sweepConnectionsPerPair();
    }

    private static Map<Way, WayResult> runAll(WayRun runs, List<Way> ways, Topology topology,
            ToIntFunction<Way> roundsOf, String title, Progress progress)
            throws IOException, GeneralSecurityException, InterruptedException {
        Map<Way, WayResult> results = new EnumMap<>(Way.class);
        for (Way way : ways) {
            int rounds = roundsOf.applyAsInt(way);
            progress.step(String.format(Locale.ROOT, "%s, %s: %d connections", title, way.title(),
                    topology.links().size() * rounds));
            WayResult result = runs.run(way, topology, rounds, progress::tick);
            results.put(way, result);
            progress.done(result.allRounds().authentications() + " authentications");
        }
        return results;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a temporary file left behind is harmless
                }
            });
        } catch (IOException e) {
            // nothing to delete
        }
    }

    /** Progress lines: a step, dots while it works, then what it came to and how long it took. */
    private static final class Progress {
        private final PrintStream out;
        private int ticks;
        private long started;

        Progress(PrintStream out) {
            this.out = out;
        }

        void step(String what) {
            ticks = 0;
            started = System.nanoTime();
            out.print("  " + what + " ");
            out.flush();
        }

        void tick() {
            if (++ticks % 10 == 0) {
                out.print('.');
                out.flush();
            }
        }

        void done(String what) {
            out.printf(Locale.ROOT, "%s (%.1f s)%n", what.isEmpty() ? "done" : "- " + what,
                    (System.nanoTime() - started) / 1e9);
        }
    }
}
