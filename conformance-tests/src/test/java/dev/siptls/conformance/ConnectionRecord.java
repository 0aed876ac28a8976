package dev.siptls.conformance;

/**
 * One connection of {@link FaultClientMain}, as one line of its output file: when it started and ended
 * (epoch milliseconds, the same clock as the test's), what it was, how old its session was when it started
 * (0 for a new one, -1 without a session), the client's SA request count once it ended, and for a failure,
 * why.
 */
record ConnectionRecord(long start, long end, Kind kind, long sessionAgeMillis, long associationRequests,
                        String detail) {

    enum Kind {
        /** Resumed with a security association. */
        SIP,
        /** A BCJSSE resumption of a session cached after an earlier handshake. */
        NATIVE,
        /** A new session without an SA. */
        FULL,
        /** Refused or broken in TLS (an exception other than a refused TCP connection). */
        FAILED,
        /** TCP connection refused: no TLS server process listening. */
        DOWN
    }

    String toLine() {
        return start + "," + end + "," + kind + "," + sessionAgeMillis + "," + associationRequests + ","
                + detail.replace('\n', ' ').replace('\r', ' ');
    }

    static ConnectionRecord parse(String line) {
        String[] f = line.split(",", 6);
        return new ConnectionRecord(Long.parseLong(f[0]), Long.parseLong(f[1]), Kind.valueOf(f[2]),
                Long.parseLong(f[3]), Long.parseLong(f[4]), f.length > 5 ? f[5] : "");
    }

    long millis() {
        return end - start;
    }
}
