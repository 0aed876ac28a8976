package dev.siptls.bench.demo;

import dev.siptls.bench.demo.Ledger.Layer;
import dev.siptls.bench.demo.Ledger.Side;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * The demo's tables (Markdown, padded so that they read on a terminal too), from one run's counts and
 * measurements: Table 1 with the counted figures, the authentications broken down, the counts after all
 * connections, the time per connection, and the sweep over n.
 */
final class ReportTables {

    private final DemoResult result;
    private final int m;
    private final int n;

    ReportTables(DemoResult result) {
        this.result = result;
        this.m = result.options().applications();
        this.n = result.options().terminals();
    }

    // ---------------------------------------------------------------- Table 1

    String table1() {
        MarkdownTable t = new MarkdownTable("Case", "", ">Proposed (paper)", ">SIP-TLS, TLS 1.2 (counted)",
                ">SIP-TLS, TLS 1.3 PSK (counted)", ">Traditional (paper)", ">Traditional TLS (counted)",
                ">TLS resumption (counted)");
        Map<Way, WayResult> c1 = result.case1();
        Map<Way, WayResult> c2 = result.case2();
        addCase(t, "Case 1: TLS client establishes multiple TLS sessions with same TLS server", c1,
                new String[] {"2", "m = " + m, "m = " + m, "2", "4"},
                new String[] {"2", "m = " + m, "m = " + m, "-", "2m = " + 2 * m});
        addCase(t, "Case 2: several entities communicate with each other by TLS", c2,
                new String[] {"n = " + n, "1", "n(n-1) = " + n * (n - 1), "n = " + n, "2n = " + 2 * n},
                new String[] {"n = " + n, "1", "n(n-1) = " + n * (n - 1), "-", "2n(n-1) = " + 2 * n * (n - 1)});
        return t.toString();
    }

    private static void addCase(MarkdownTable t, String label, Map<Way, WayResult> r, String[] proposed,
            String[] traditional) {
        String[] rows = {"# of terminals", "# of applications", "# of TLS sessions", "# of SIP sessions",
            "# of authentications"};
        for (int i = 0; i < rows.length; i++) {
            t.row(i == 0 ? label : "", rows[i], proposed[i], counted(r.get(Way.SIP_TLS), i),
                    counted(r.get(Way.SIP_TLS_13), i), traditional[i], counted(r.get(Way.TRADITIONAL), i),
                    counted(r.get(Way.RESUMPTION), i));
        }
    }

    /** Row {@code row} of Table 1 as counted in {@code r}'s first round. */
    static long counted(WayResult r, int row) {
        return switch (row) {
            case 0 -> terminals(r);
            case 1 -> applications(r);
            case 2 -> r.sessions(1);
            case 3 -> r.sip().registrations();
            case 4 -> r.firstRound().authentications();
            default -> throw new IllegalArgumentException("row " + row);
        };
    }

    /** Terminals that took part in a first-round connection, as client or server. */
    static long terminals(WayResult r) {
        Set<Integer> seen = new TreeSet<>();
        r.select(true).forEach(s -> {
            seen.add(s.link().client());
            seen.add(s.link().server());
        });
        return seen.size();
    }

    static long applications(WayResult r) {
        return r.select(true).stream().map(s -> s.link().application()).distinct().count();
    }

    // ---------------------------------------------------------------- breakdown

    String breakdown() {
        MarkdownTable t = new MarkdownTable("Case", "Way", ">Authentications", ">TLS signatures: servers + clients",
                ">SIP signatures: key server + agents", ">TLS chains verified: servers' + clients'",
                ">SIP chains verified: key server's + agents'", ">Policy chains verified by the key server");
        for (String label : new String[] {"Case 1", "Case 2"}) {
            Map<Way, WayResult> results = label.equals("Case 1") ? result.case1() : result.case2();
            for (Way way : new Way[] {Way.SIP_TLS, Way.SIP_TLS_13, Way.TRADITIONAL, Way.RESUMPTION}) {
                Tally c = results.get(way).firstRound();
                t.row(way == Way.SIP_TLS ? label : "", way.title(), c.authentications(),
                        pair(c.signatures(Layer.TLS, Side.SERVER), c.signatures(Layer.TLS, Side.CLIENT)),
                        pair(c.signatures(Layer.SIP, Side.SERVER), c.signatures(Layer.SIP, Side.CLIENT)),
                        pair(c.chainVerifications(Layer.TLS, Side.SERVER), c.chainVerifications(Layer.TLS, Side.CLIENT)),
                        pair(c.chainVerifications(Layer.SIP, Side.SERVER), c.chainVerifications(Layer.SIP, Side.CLIENT)),
                        c.policyChains());
            }
        }
        return t.toString();
    }

    private static String pair(long a, long b) {
        return a + " + " + b;
    }

    // ---------------------------------------------------------------- after all rounds

    String afterAll() {
        MarkdownTable t = new MarkdownTable("Case", "Way", ">TLS connections", ">TLS sessions",
                ">abbreviated handshakes", ">authentications", ">SIP sessions");
        for (String label : new String[] {"Case 1", "Case 2"}) {
            Map<Way, WayResult> results = label.equals("Case 1") ? result.case1() : result.case2();
            for (Way way : Way.values()) {
                WayResult r = results.get(way);
                t.row(way == Way.TRADITIONAL ? label : "", way.title(), r.connections(r.rounds()),
                        r.sessions(r.rounds()), r.abbreviated(true) + r.abbreviated(false),
                        r.allRounds().authentications(), r.sip().registrations());
            }
        }
        return t.toString();
    }

    // ---------------------------------------------------------------- time

    String connections() {
        MarkdownTable t = new MarkdownTable("Case", "Way", "Connection", ">count", ">abbreviated", ">wall ms",
                ">TLS CPU ms", ">all-threads CPU ms");
        for (String label : new String[] {"Case 1", "Case 2"}) {
            Map<Way, WayResult> results = label.equals("Case 1") ? result.case1() : result.case2();
            boolean firstRow = true;
            for (Way way : Way.values()) {
                WayResult r = results.get(way);
                for (boolean first : new boolean[] {true, false}) {
                    var samples = r.select(first);
                    t.row(firstRow ? label : "", first ? way.title() : "",
                            first ? (way.sipTls() ? "first (SA from the key server)" : "first") : "later",
                            samples.size(), r.abbreviated(first), ms(samples, Sample::wallNanos),
                            ms(samples, Sample::tlsCpuNanos), ms(samples, Sample::allCpuNanos));
                    firstRow = false;
                }
            }
        }
        return t.toString();
    }

    private static String ms(List<Sample> samples, ToLongFunction<Sample> metric) {
        return samples.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", WayResult.medianMillis(samples, metric));
    }

    // ---------------------------------------------------------------- sweep

    String sweepTable() {
        MarkdownTable t = new MarkdownTable(">n", ">TLS sessions", ">authentications traditional",
                ">authentications resumption", ">authentications SIP-TLS", ">paper traditional 2n(n-1)",
                ">paper proposed 2n", ">wall ms first: trad / res / SIP-TLS", ">wall ms later: trad / res / SIP-TLS");
        for (SweepPoint p : result.sweep()) {
            WayResult tr = p.result(Way.TRADITIONAL);
            WayResult re = p.result(Way.RESUMPTION);
            WayResult si = p.result(Way.SIP_TLS);
            t.row(p.n(), si.sessions(si.rounds()), tr.allRounds().authentications(), re.allRounds().authentications(),
                    si.allRounds().authentications(),
                    2 * p.n() * (p.n() - 1), 2 * p.n(),
                    ms(tr.select(true), Sample::wallNanos) + " / " + ms(re.select(true), Sample::wallNanos) + " / "
                            + ms(si.select(true), Sample::wallNanos),
                    ms(tr.select(false), Sample::wallNanos) + " / " + ms(re.select(false), Sample::wallNanos) + " / "
                            + ms(si.select(false), Sample::wallNanos));
        }
        return t.toString();
    }
}
