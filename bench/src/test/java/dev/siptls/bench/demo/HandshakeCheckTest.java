package dev.siptls.bench.demo;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.bench.demo.Topology.Link;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's check that a way's connections were the handshakes the way stands for. */
class HandshakeCheckTest {

    private static final int CONNECTIONS = 3;

    @Test
    void acceptsTls13PskHandshakesForTheTls13Way() {
        assertDoesNotThrow(() -> HandshakeCheck.verify(Way.SIP_TLS_13, samples("TLSv1.3"), counters(6, 0, 6)));
    }

    @Test
    void acceptsTls12ResumptionsForTheTls12Way() {
        assertDoesNotThrow(() -> HandshakeCheck.verify(Way.SIP_TLS, samples("TLSv1.2"), counters(6, 0, 0)));
    }

    @Test
    void refusesTheTls13WayOnTls12() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> HandshakeCheck.verify(Way.SIP_TLS_13, samples("TLSv1.2"), counters(6, 0, 0)));
        assertTrue(e.getMessage().contains("TLSv1.3") && e.getMessage().contains("0 TLS 1.3 PSK handshakes"),
                e.getMessage());
    }

    @Test
    void refusesTls13ConnectionsTheProvidersDidNotCountAsPskHandshakes() {
        assertThrows(IllegalStateException.class,
                () -> HandshakeCheck.verify(Way.SIP_TLS_13, samples("TLSv1.3"), counters(6, 0, 4)));
    }

    @Test
    void refusesTls13HandshakesInTheTls12Way() {
        assertThrows(IllegalStateException.class,
                () -> HandshakeCheck.verify(Way.SIP_TLS, samples("TLSv1.2"), counters(6, 0, 6)));
    }

    @Test
    void refusesFullHandshakesInASipTlsWay() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> HandshakeCheck.verify(Way.SIP_TLS_13, samples("TLSv1.3"), counters(4, 2, 4)));
        assertTrue(e.getMessage().contains("2 full"), e.getMessage());
    }

    @Test
    void refusesAPlainWayThatLeftTls12() {
        assertThrows(IllegalStateException.class,
                () -> HandshakeCheck.verify(Way.TRADITIONAL, samples("TLSv1.3"), SipCounters.NONE));
        assertDoesNotThrow(() -> HandshakeCheck.verify(Way.TRADITIONAL, samples("TLSv1.2"), SipCounters.NONE));
    }

    private static List<Sample> samples(String protocol) {
        return java.util.stream.IntStream.rangeClosed(1, CONNECTIONS)
                .mapToObj(i -> new Sample(new Link(1, 2, 1), i, 1, 1, 1, 0, 0, "00", protocol)).toList();
    }

    private static SipCounters counters(long sipResumptions, long full, long tls13) {
        return new SipCounters(2, 0, 2, 1, 1, 0, 2, 1, 1, 1, sipResumptions, full, tls13);
    }
}
