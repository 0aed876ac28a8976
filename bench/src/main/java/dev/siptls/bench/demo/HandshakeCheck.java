package dev.siptls.bench.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fails a run whose handshakes were not what its way stands for, so that no table shows one protocol's
 * figures under another's name: every connection negotiated the way's TLS version, and for SIP-TLS the
 * providers' own counters say that both sides of every connection completed on an SA (none fell back to a
 * full handshake) and, on TLS 1.3, that each was a PSK handshake; on TLS 1.2, that none was.
 */
final class HandshakeCheck {

    private HandshakeCheck() {
    }

    /** @throws IllegalStateException saying what differs */
    static void verify(Way way, List<Sample> samples, SipCounters sip) {
        List<String> problems = new ArrayList<>();
        Map<String, Long> protocols = new TreeMap<>();
        samples.forEach(s -> protocols.merge(String.valueOf(s.protocol()), 1L, Long::sum));
        if (!samples.isEmpty() && !Map.of(way.protocol(), (long) samples.size()).equals(protocols)) {
            problems.add("connections negotiated " + protocols + ", all should have negotiated " + way.protocol());
        }
        if (way.sipTls()) {
            long sides = 2L * samples.size();
            if (sip.sipResumptions() != sides || sip.fullHandshakes() != 0) {
                problems.add("the providers counted " + sip.sipResumptions() + " handshakes on SAs and "
                        + sip.fullHandshakes() + " full ones for " + samples.size() + " connections (" + sides
                        + " sides, all on SAs)");
            }
            long tls13 = way == Way.SIP_TLS_13 ? sides : 0;
            if (sip.tls13Handshakes() != tls13) {
                problems.add("the providers counted " + sip.tls13Handshakes() + " TLS 1.3 PSK handshakes, expected "
                        + tls13);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(way.title() + ": " + String.join("; ", problems));
        }
    }
}
