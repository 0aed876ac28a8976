package dev.siptls.conformance;

import dev.siptls.conformance.ConnectionRecord.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What one client saw during one fault of {@link ProcessFaultTest}: its connections started within the fault's
 * phase counted by kind, the longest one, and when SIP resumption came back after the fault ended.
 *
 * @param cut              failed connections that were in flight when the TLS server process was killed: the
 *                         kill broke them, not SIP-TLS
 * @param oldestNativeMillis the age of the oldest session a native resumption used (0 if none)
 * @param sipBackSeconds   from the end of the fault to the start of the first SIP connection after it; null if
 *                         none came
 * @param requestsUntilBack SA requests the client made from the end of the fault until that connection
 * @param nonSipAfterBack  connections after that first SIP one that were not SIP
 * @param failures         the failed connections by reason
 */
record FaultFigures(String client, Phase phase, int sip, int nativeResumed, int full, int failed, int down, int cut,
                    long longestMillis, long oldestNativeMillis, Double sipBackSeconds, long requestsUntilBack,
                    int nonSipAfterBack, Map<String, Integer> failures) {

    /**
     * One fault: connections started in [{@code from}, {@code to}) belong to it; {@code faultEnd} is when the
     * faulty process was back (or resumed); a failure in flight within [{@code killFrom}, {@code killTo}] (the
     * moment the TLS server was killed, or none) is counted as cut.
     */
    record Phase(String name, long from, long faultEnd, long to, long killFrom, long killTo) {

        static Phase withoutKill(String name, long from, long faultEnd, long to) {
            return new Phase(name, from, faultEnd, to, Long.MAX_VALUE, Long.MIN_VALUE);
        }
    }

    /** The source's note that a failed SA request is not repeated yet: the same reason, counted as one. */
    private static final Pattern REPEATED = Pattern.compile(" \\(less than \\d+ ms ago; not asked again yet\\)");

    static FaultFigures of(String client, Phase phase, List<ConnectionRecord> records) {
        int sip = 0;
        int nativeResumed = 0;
        int full = 0;
        int failed = 0;
        int down = 0;
        int cut = 0;
        long longest = 0;
        long oldestNative = 0;
        long requestsBefore = 0;
        ConnectionRecord firstSipAfter = null;
        int nonSipAfterBack = 0;
        Map<String, Integer> failures = new LinkedHashMap<>();
        for (ConnectionRecord r : records) {
            if (r.end() < phase.faultEnd()) {
                requestsBefore = Math.max(requestsBefore, r.associationRequests());
            }
            if (r.start() < phase.from() || r.start() >= phase.to()) {
                continue;
            }
            longest = Math.max(longest, r.millis());
            Kind kind = r.kind();
            if (kind == Kind.FAILED && r.start() <= phase.killTo() && r.end() >= phase.killFrom()) {
                cut++;
                continue;
            }
            switch (kind) {
                case SIP -> sip++;
                case NATIVE -> {
                    nativeResumed++;
                    oldestNative = Math.max(oldestNative, r.sessionAgeMillis());
                }
                case FULL -> full++;
                case FAILED -> {
                    failed++;
                    failures.merge(REPEATED.matcher(r.detail()).replaceAll(""), 1, Integer::sum);
                }
                case DOWN -> down++;
            }
            if (r.start() >= phase.faultEnd()) {
                if (firstSipAfter != null && kind != Kind.SIP) {
                    nonSipAfterBack++;
                } else if (firstSipAfter == null && kind == Kind.SIP) {
                    firstSipAfter = r;
                }
            }
        }
        Double back = firstSipAfter == null ? null : Math.max(0, firstSipAfter.start() - phase.faultEnd()) / 1000.0;
        long requests = firstSipAfter == null ? 0 : firstSipAfter.associationRequests() - requestsBefore;
        return new FaultFigures(client, phase, sip, nativeResumed, full, failed, down, cut, longest, oldestNative,
                back, requests, nonSipAfterBack, failures);
    }

    static final String HEADER = "| fault | client | SIP | native | full | failed | down | longest call"
            + " | oldest native session | SIP back after | SA requests until back | non-SIP after back |\n"
            + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";

    /** A Markdown table, one row per client and fault, as README carries it. */
    static String table(List<FaultFigures> rows) {
        StringBuilder out = new StringBuilder(HEADER);
        for (FaultFigures f : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %s | %d | %d ms | %s | %s | %s | %d |%n",
                    f.phase().name(), f.client(), f.sip(), f.nativeResumed(), f.full(),
                    f.failed() + (f.cut() > 0 ? " (+" + f.cut() + " cut by the kill)" : ""), f.down(),
                    f.longestMillis(),
                    f.nativeResumed() == 0 ? "-" : seconds(f.oldestNativeMillis() / 1000.0),
                    f.sipBackSeconds() == null ? "never" : seconds(f.sipBackSeconds()),
                    f.sipBackSeconds() == null ? "-" : Long.toString(f.requestsUntilBack()), f.nonSipAfterBack()));
        }
        return out.toString();
    }

    private static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.1f s", seconds);
    }

    /** The distinct failure reasons of the rows that have any, for reading next to the table. */
    static List<String> failureReasons(List<FaultFigures> rows) {
        List<String> out = new ArrayList<>();
        for (FaultFigures f : rows) {
            f.failures().forEach((reason, n) -> out.add(f.phase().name() + " / " + f.client() + ": " + n + " x "
                    + reason));
        }
        return out;
    }
}
