package dev.siptls.bench.demo;

import dev.siptls.bench.demo.Ledger.Layer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The demo's tables and text, from what was counted and measured: {@link #console()} for the terminal,
 * {@link #markdown()} for report.md. Every figure in the "counted" columns comes from the run's counters;
 * the paper's columns are its formulas evaluated for the run's n and m.
 */
final class Report {

    private final DemoResult result;
    private final ReportTables tables;
    private final int m;
    private final int n;

    Report(DemoResult result) {
        this.result = result;
        this.tables = new ReportTables(result);
        this.m = result.options().applications();
        this.n = result.options().terminals();
    }

    String console() {
        return "Table 1 of the paper, with counted figures (one connection per application pair, as the paper"
                + " counts):\n\n" + tables.table1() + "\nHow the authentications break down (handshake signatures"
                + " and certificate-chain verifications, counted):\n\n" + tables.breakdown() + "\n" + saChainChecks()
                + "\n\n" + textVersusTable()
                + "\n\nPer TLS connection (medians; one connection at a time over loopback):\n\n"
                + tables.connections() + "\n" + observations() + "\n" + tls13() + "\n\n" + sipMessages();
    }

    String markdown() {
        DemoOptions o = result.options();
        StringBuilder md = new StringBuilder();
        md.append("# SIP-TLS demo: the paper's Table 1, counted\n\n");
        md.append(String.format(Locale.ROOT, "Run %s: n = %d terminals (case 2), m = %d applications (case 1), %d"
                + " connections per application pair; sweep for the plots n = %s with %d connections per pair. %d"
                + " cores, Java %s, %s %s. Run time %.1f s; system load average %s at the start, %s at the end"
                + " (wall times grow when other processes compete for the cores; CPU times much less).%n%n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), n, m, o.connectionsPerPair(), o.sweep(),
                o.sweepConnectionsPerPair(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.arch"),
                result.elapsed().toMillis() / 1000.0, load(result.loadAtStart()), load(result.loadAtEnd())));
        md.append("Every connection is real: TCP over loopback, a TLS handshake with the server requiring the"
                + " client's authentication (`needClientAuth`) and the client identifying the server (endpoint"
                + " identification `HTTPS`), one byte echoed. Traditional TLS, TLS resumption and SIP-TLS as the"
                + " paper has it run TLS 1.2, their terminals' SIP-TLS providers set to accept TLS 1.2 SAs only;"
                + " SIP-TLS on TLS 1.3 runs terminals and connections on SIP-TLS's defaults (TLS 1.3 and 1.2"
                + " enabled), on which the key server issues TLS 1.3 SAs: external PSKs. The run fails unless every"
                + " connection negotiated its way's version and, by the providers' own counters, both sides of every"
                + " SIP-TLS connection completed on an SA, on TLS 1.3 each as a TLS 1.3 PSK handshake. Each terminal has its own RSA-2048 identity (a certificate that proves its SIP AOR and names its"
                + " TLS host) and, for SIP-TLS, its own SIP-TLS provider instance registered with one embedded key"
                + " server. An application is its own TLS server port with its own `SSLContext` on the server"
                + " terminal, and its own client `SSLContext` on the client terminal, so applications share no"
                + " sessions.\n\n");
        md.append("## Table 1, counted\n\n");
        md.append("The paper's columns are its formulas for this run's n and m; the counted columns come from the"
                + " run's counters, over the first connection of every application pair (what the paper counts)."
                + " Case 1: one TLS client terminal, one TLS server terminal, m applications. Case 2: n terminals,"
                + " one application, every pair connected both ways.\n\n");
        md.append(tables.table1()).append('\n');
        md.append("Counted rows: terminals that took part in a first connection (as client or server);"
                + " applications connected; TLS sessions = distinct session ids the clients saw; SIP sessions ="
                + " REGISTERs the key server accepted that created a registration during the run (each over its own"
                + " mutual-TLS connection, see the SIP chain checks below); authentications = handshake signatures"
                + " on the TLS and SIP connections, including the SIP registrations before the first TLS"
                + " connection.\n\n");
        md.append("## How an authentication is counted\n\n");
        md.append("An authentication is one party proving its identity to another: it signs with its private key in"
                + " a handshake, and the other party verifies its certificate chain and that signature. Both halves"
                + " are counted where they happen:\n\n"
                + "- **Signatures**: every key manager is wrapped in a counting one that counts the private keys it"
                + " hands to a handshake. BCJSSE and SunJSSE fetch the key once per handshake that needs it, and every"
                + " suite allowed here (ECDHE_RSA/ECDHE_ECDSA in TLS 1.2, TLS 1.3 for SIP) uses it for exactly one"
                + " signature (ServerKeyExchange or CertificateVerify); a resumed handshake fetches none, and"
                + " neither does a TLS 1.3 PSK handshake (the PSK the key server issued to the two authenticated"
                + " peers proves them; its x25519 exchange signs nothing). The \"authentications\" rows are these"
                + " signatures.\n"
                + "- **Chain verifications**: every trust manager is a real PKIX trust manager wrapped in a counting"
                + " one; it counts each chain it is asked to verify.\n"
                + "- **The SIP connections** (agents to key server, mutual TLS) are reached through a counting JSSE"
                + " provider installed first in the JVM's list while the demo runs: `TlsIdentity` builds the key"
                + " server's and the agents' contexts from `TrustManagerFactory.getInstance(\"PKIX\")` and"
                + " `KeyManagerFactory.getInstance(\"SunX509\")`, and that provider answers both with SunJSSE's own"
                + " factories whose managers are wrapped the same way. It also counts `CertPathValidator` PKIX"
                + " validations made outside any trust manager: the key server checking the TLS server chain a"
                + " policy carries. The terminals' TLS contexts name their providers and never go through it.\n"
                + "- Key server side and agent side are told apart by the handshake role: the key server is the SIP"
                + " TLS server (it signs as server and verifies client chains), agents are SIP TLS clients.\n\n");
        md.append(tables.breakdown()).append('\n');
        md.append(saChainChecks()).append("\n\n");
        md.append("## The paper's text and its table disagree on case 2\n\n");
        md.append(textVersusTable()).append("\n\n");
        md.append("## Beyond the first connection\n\n");
        md.append("After all connections of cases 1 and 2 (every pair connected " + o.connectionsPerPair()
                + " times):\n\n");
        md.append(tables.afterAll()).append('\n');
        md.append("## Time per TLS connection\n\n");
        md.append("Medians. Wall time: what the client waited, TCP connect to echoed byte. TLS CPU: the client's"
                + " and the server's TLS threads. All-threads CPU: every Java thread meanwhile, so for SIP-TLS also"
                + " the agents' and key server's SIP work (INVITE, relay, 200 OK, ACK) a first connection waits for;"
                + " JIT and GC threads are not counted. Connections run one at a time"
                + (o.warmUp() ? ", after an unrecorded warm-up run" : "") + ".\n\n");
        md.append(tables.connections()).append('\n');
        md.append(setupTimes()).append("\n\n");
        md.append(observations()).append('\n');
        md.append("## SIP-TLS on TLS 1.3 beside TLS 1.2\n\n").append(tls13()).append("\n\n");
        md.append("## SIP messages\n\n").append(sipMessages()).append('\n');
        md.append("## Sweep over n (case 2)\n\n");
        md.append("Traditional TLS connects every pair once, TLS resumption and SIP-TLS (TLS 1.2) every pair "
                + o.sweepConnectionsPerPair() + " times (the first connection, then later ones). SIP-TLS on TLS 1.3"
                + " is left out: it counts SIP-TLS's 2n authentications at every n, and sweeping it too would add"
                + " about a quarter to the run's time; it warms up on its own instead"
                + (o.warmUp() ? "" : " (not in this run, which has no warm-up)") + ". The sweep runs"
                + " right after a short warm-up, before cases 1 and 2 and from the largest n down, so that the JIT"
                + " compiler's warming up falls on the largest point, whose hundreds of connections make a median"
                + " robust to it. A connection's cost does not depend on how many other terminals exist: what"
                + " varies with n in the time plots is noise (and the warm-up, if anything).\n\n");
        md.append(tables.sweepTable()).append('\n');
        md.append("![authentications vs n](" + Plots.AUTHENTICATIONS + ".svg)\n\n");
        md.append("![connection wall time vs n](" + Plots.CONNECTION_TIME + ".svg)\n\n");
        md.append("![connection CPU time vs n](" + Plots.CONNECTION_CPU + ".svg)\n\n");
        md.append("PNG versions: " + Plots.AUTHENTICATIONS + ".png, " + Plots.CONNECTION_TIME + ".png, "
                + Plots.CONNECTION_CPU + ".png.\n");
        return md.toString();
    }

    private static String load(double load) {
        return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f", load);
    }

    // ---------------------------------------------------------------- text vs table

    /** Case 2's traditional first round, split into the text's sessions (one per pair) and the rest. */
    String textVersusTable() {
        WayResult traditional = result.case2().get(Way.TRADITIONAL);
        long pairs = traditional.select(true).stream().filter(s -> s.link().client() < s.link().server()).count();
        long pairAuth = traditional.select(true).stream().filter(s -> s.link().client() < s.link().server())
                .mapToLong(Sample::tlsSignatures).sum();
        long sessions = traditional.sessions(1);
        long all = traditional.firstRound().authentications();
        long sip = result.case2().get(Way.SIP_TLS).firstRound().authentications();
        long sip13 = result.case2().get(Way.SIP_TLS_13).firstRound().authentications();
        return String.format(Locale.ROOT, "The text of §4.1 says traditional TLS needs n(n-1) authentications"
                + " because there are n(n-1)/2 TLS sessions; Table 1 says 2n(n-1) authentications for n(n-1)"
                + " sessions. Counted here (n = %d, traditional TLS): the %d sessions one per pair of terminals (the"
                + " text's n(n-1)/2 = %d) took %d authentications (the text's n(n-1) = %d); all %d sessions, every"
                + " pair both ways (the table's n(n-1) = %d), took %d (the table's 2n(n-1) = %d). So text and table"
                + " agree on 2 authentications per mutually authenticated session and differ on what case 2's"
                + " sessions are; with every pair connected both ways, as the table's n(n-1) sessions and this demo"
                + " have it, the counts support the table. The text's conclusion (fewer authentications from 3"
                + " terminals on) holds with the table's 2n(n-1) > 2n for n >= 3, but not with the text's own"
                + " n(n-1), which equals 2n at n = 3. SIP-TLS counted %d = 2n either way (%d on TLS 1.3).",
                n, pairs, n * (n - 1) / 2, pairAuth, n * (n - 1), sessions, n * (n - 1), all, 2 * n * (n - 1), sip,
                sip13);
    }

    String setupTimes() {
        return String.format(Locale.ROOT, "SIP-TLS setup before the first connection (providers started, agents"
                + " registered over mutual TLS, policies published): case 1 %.0f ms for 2 terminals, case 2 %.0f ms"
                + " for %d terminals (TLS 1.3: %.0f ms and %.0f ms).", result.case1().get(Way.SIP_TLS).setupNanos() / 1e6,
                result.case2().get(Way.SIP_TLS).setupNanos() / 1e6, n,
                result.case1().get(Way.SIP_TLS_13).setupNanos() / 1e6,
                result.case2().get(Way.SIP_TLS_13).setupNanos() / 1e6);
    }

    /**
     * SIP-TLS on TLS 1.3 against TLS 1.2: the authentications of both cases, side by side, and what the
     * per-connection (EC)DHE costs, from case 2's medians; comparisons are computed, not assumed.
     */
    String tls13() {
        WayResult v12 = result.case2().get(Way.SIP_TLS);
        WayResult v13 = result.case2().get(Way.SIP_TLS_13);
        long[] auth12 = {result.case1().get(Way.SIP_TLS).firstRound().authentications(),
            v12.firstRound().authentications()};
        long[] auth13 = {result.case1().get(Way.SIP_TLS_13).firstRound().authentications(),
            v13.firstRound().authentications()};
        boolean same = auth12[0] == auth13[0] && auth12[1] == auth13[1];
        double later12 = WayResult.medianMillis(v12.select(false), Sample::allCpuNanos);
        double later13 = WayResult.medianMillis(v13.select(false), Sample::allCpuNanos);
        double first12 = WayResult.medianMillis(v12.select(true), Sample::allCpuNanos);
        double first13 = WayResult.medianMillis(v13.select(true), Sample::allCpuNanos);
        double wall12 = WayResult.medianMillis(v12.select(false), Sample::wallNanos);
        double wall13 = WayResult.medianMillis(v13.select(false), Sample::wallNanos);
        return String.format(Locale.ROOT, "SIP-TLS on TLS 1.3 counted %d and %d authentications in cases 1 and 2,"
                + " on TLS 1.2 %d and %d: %s. The key server authenticates each terminal once over SIP either way and"
                + " issues an SA per application pair; on TLS 1.3 the SA is an external PSK and a connection a PSK"
                + " handshake, which signs nothing. What TLS 1.3 changes is what a connection's keys depend on: a TLS"
                + " 1.2 SA's session keys follow from its master secret and the handshake's public randoms, so whoever"
                + " holds the SA, the key server that issued it included, can decrypt the recorded traffic; a TLS 1.3"
                + " PSK handshake adds an (EC)DHE exchange (x25519, psk_dhe_ke, never psk_ke) to every connection,"
                + " whose keys stay secret from the key server and from anyone who learns the PSK later: forward"
                + " secrecy. That exchange is what each connection pays for it: in case 2 a later connection took"
                + " %.1f ms of CPU in all threads on TLS 1.3 against %.1f ms on TLS 1.2 (%.1f ms and %.1f ms of wall"
                + " time), a first one, SA distribution included, %.1f ms against %.1f ms. Counted by the providers:"
                + " %d of %d handshakes on SAs in case 2 were TLS 1.3 PSK handshakes on TLS 1.3, %d of %d on TLS 1.2.",
                auth13[0], auth13[1], auth12[0], auth12[1], same ? "the same" : "they differ", later13, later12,
                wall13, wall12, first13, first12, v13.sip().tls13Handshakes(), v13.sip().sipResumptions(),
                v12.sip().tls13Handshakes(), v12.sip().sipResumptions());
    }

    /** What case 2's medians say, in words; comparisons are computed, not assumed. */
    String observations() {
        WayResult tr = result.case2().get(Way.TRADITIONAL);
        WayResult re = result.case2().get(Way.RESUMPTION);
        WayResult si = result.case2().get(Way.SIP_TLS);
        double fullCpu = WayResult.medianMillis(tr.samples(), Sample::allCpuNanos);
        double fullWall = WayResult.medianMillis(tr.samples(), Sample::wallNanos);
        double resumedCpu = WayResult.medianMillis(re.select(false), Sample::allCpuNanos);
        double sipFirstCpu = WayResult.medianMillis(si.select(true), Sample::allCpuNanos);
        double sipFirstWall = WayResult.medianMillis(si.select(true), Sample::wallNanos);
        double sipLaterCpu = WayResult.medianMillis(si.select(false), Sample::allCpuNanos);
        long connections = si.connections(si.rounds());
        double saChecks = connections == 0 ? 0 : (double) si.allRounds().chainVerifications(Layer.TLS) / connections;
        return String.format(Locale.ROOT, "Case 2 in short: a first SIP-TLS connection on TLS 1.2 (SA fetched from the key"
                + " server over SIP, then an abbreviated handshake) took %.1f ms of CPU in all threads, %s a"
                + " full mutually authenticated handshake (%.1f ms), and %.1f ms of wall time against %.1f ms. A"
                + " later SIP-TLS connection took %.1f ms of CPU, %s an ordinary resumed one (%.1f ms); besides"
                + " the SA lookup, the SIP-TLS provider had the applications' trust managers verify the SAs'"
                + " certificate chains %.1f times per connection on average (counted), where an ordinary resumption"
                + " verifies none. What SIP-TLS saves is what the paper counts: authentications, %d for %d TLS"
                + " sessions and %d connections here, against %d for traditional TLS.%n",
                sipFirstCpu, compared(sipFirstCpu, fullCpu), fullCpu, sipFirstWall, fullWall, sipLaterCpu,
                compared(sipLaterCpu, resumedCpu), resumedCpu, saChecks, si.allRounds().authentications(),
                si.sessions(si.rounds()), connections, tr.allRounds().authentications());
    }

    /** The chain verifications SIP-TLS does beyond its authentications, as counted in case 2. */
    String saChainChecks() {
        WayResult si = result.case2().get(Way.SIP_TLS);
        WayResult si13 = result.case2().get(Way.SIP_TLS_13);
        Tally all = si.allRounds();
        return String.format(Locale.ROOT, "SIP-TLS does certificate work beyond its authentications. In case 2 the"
                + " SIP-TLS providers had the applications' own trust managers verify the certificate chains the SAs"
                + " carry %d times for %d connections of %d TLS sessions (the \"TLS chains verified\" column counts"
                + " the first connections), and the key server validated %d TLS server chains when it accepted the"
                + " terminals' policies (on TLS 1.3: %d times for %d connections, and %d). These are verifications of chains the key server vouches for, with no proof"
                + " of possession from the peer in that handshake, so they are not authentications in the paper's"
                + " sense; they are still PKIX validations (a CA signature check each) and show in the CPU time.",
                all.chainVerifications(Layer.TLS), si.connections(si.rounds()), si.sessions(si.rounds()),
                all.policyChains(), si13.allRounds().chainVerifications(Layer.TLS), si13.connections(si13.rounds()),
                si13.allRounds().policyChains());
    }

    /** "less than", "about as much as" (within 10 %) or "more than". */
    private static String compared(double value, double reference) {
        if (Math.abs(value - reference) <= 0.1 * reference) {
            return "about as much as";
        }
        return value < reference ? "less than" : "more than";
    }

    // ---------------------------------------------------------------- SIP

    String sipMessages() {
        StringBuilder out = new StringBuilder();
        for (String label : new String[] {"Case 1", "Case 2"}) {
            for (Way way : new Way[] {Way.SIP_TLS, Way.SIP_TLS_13}) {
                SipCounters s = (label.equals("Case 1") ? result.case1() : result.case2()).get(way).sip();
                out.append(String.format(Locale.ROOT, "%s, %s: %d SIP messages. Key server: %d REGISTERs accepted"
                        + " (+%d refreshes), %d policies accepted, %d SAs issued, %d relayed INVITEs answered, %d"
                        + " refusals; providers: %d agent registrations, %d SAs requested, %d obtained, %d accepted as"
                        + " server, %d handshakes on SA sessions (client and server sides; %d of them TLS 1.3 PSK"
                        + " handshakes), %d full handshakes. Messages derived from those counters by PROTOCOL.md:"
                        + " REGISTER/200 and MESSAGE/200 per registration (%d), INVITE/200/ACK on both legs per SA"
                        + " (%d).%n",
                        label, way.title(), s.messages(), s.registrations(), s.refreshes(), s.policies(),
                        s.associationsIssued(), s.relaysAnswered(), s.refusals(), s.agentsRegistered(), s.requested(),
                        s.obtained(), s.accepted(), s.sipResumptions(), s.tls13Handshakes(), s.fullHandshakes(),
                        s.registrationMessages(), s.distributionMessages()));
            }
        }
        return out.toString();
    }
}
