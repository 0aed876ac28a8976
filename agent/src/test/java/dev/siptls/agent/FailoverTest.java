package dev.siptls.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which key server next and when: at once within a round, the backoff only after a whole round failed. */
class FailoverTest {

    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 5061);
    private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 5062);
    private static final InetSocketAddress C = new InetSocketAddress("127.0.0.1", 5063);
    private final AgentStatistics statistics = new AgentStatistics();

    private Failover failover(InetSocketAddress... servers) {
        return new Failover("sip:alice@example.com", new FixedKeyServers(List.of(servers), null),
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 1.0), statistics);
    }

    @Test
    void triesEveryKeyServerOfARoundAtOnceAndWaitsOnlyAfterTheWholeRound() throws Exception {
        Failover f = failover(A, B, C);
        List<InetSocketAddress> tried = new ArrayList<>();
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tried.add(f.next().address());
            waits.add(f.failed("refused"));
        }
        assertEquals(List.of(A, B, C, A, B, C), tried);
        assertEquals(List.of(Duration.ZERO, Duration.ZERO, Duration.ofMillis(100), Duration.ZERO, Duration.ZERO,
                Duration.ofMillis(200)), waits);
    }

    @Test
    void aLostKeyServerIsLeftForTheNextInTheListAndTriedAgainOnlyInLaterRounds() throws Exception {
        Failover f = failover(A, B, C);
        f.next();
        f.next();
        KeyServerTarget b = f.next();
        assertEquals(C, b.address());
        f.registered(b);

        assertEquals(Duration.ZERO, f.failed("connection lost"));
        assertEquals(A, f.next().address());
        assertEquals(Duration.ZERO, f.failed("refused"));
        assertEquals(B, f.next().address());
        assertTrue(f.failed("refused").compareTo(Duration.ZERO) > 0, "the round without C is over: backoff");
        assertEquals(C, f.next().address(), "the next round starts after the last tried, with the lost one");
    }

    @Test
    void countsAMoveOnlyWhenRegisteredWithAnotherKeyServer() throws Exception {
        Failover f = failover(A, B);
        f.registered(f.next());
        assertEquals(0, statistics.failovers());
        f.failed("lost");
        KeyServerTarget b = f.next();
        f.registered(b);
        assertEquals(1, statistics.failovers());
        assertEquals("127.0.0.1:5062", statistics.currentKeyServer().orElseThrow());
    }

    @Test
    void aSingleKeyServerIsRetriedAfterTheBackoff() throws Exception {
        Failover f = failover(A);
        f.registered(f.next());
        Duration wait = f.failed("lost");
        assertEquals(Duration.ofMillis(100), wait);
        assertEquals(A, f.next().address());
    }

    @Test
    void srvRecordsAreOrderedByPriorityThenWeight() {
        List<SrvKeyServers.SrvRecord> records = List.of(new SrvKeyServers.SrvRecord(10, 0, 1, "low"),
                new SrvKeyServers.SrvRecord(0, 10, 2, "light"), new SrvKeyServers.SrvRecord(0, 90, 3, "heavy"),
                new SrvKeyServers.SrvRecord(0, 0, 4, "zero"));
        // random 0: the first of the running sums (zero weights first) is chosen each time
        assertEquals(List.of("zero", "light", "heavy", "low"),
                SrvKeyServers.order(records, () -> 0.0).stream().map(SrvKeyServers.SrvRecord::target).toList());
        // random just below 1: the last of the running sums
        assertEquals(List.of("heavy", "light", "zero", "low"),
                SrvKeyServers.order(records, () -> 0.999).stream().map(SrvKeyServers.SrvRecord::target).toList());
    }

    @Test
    void malformedSrvNamesAndResolversAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SrvKeyServers.checkedName("example.com"));
        assertThrows(IllegalArgumentException.class, () -> SrvKeyServers.checkedName("_sips._tcp"));
        assertThrows(IllegalArgumentException.class, () -> SrvKeyServers.checkedResolver("udp://127.0.0.1:53"));
        assertThrows(IllegalArgumentException.class, () -> SrvKeyServers.checkedResolver("dns://127.0.0.1/x"));
        assertEquals("dns://127.0.0.1:5353", SrvKeyServers.checkedResolver("dns://127.0.0.1:5353"));
        assertEquals("_sips._tcp.example.com", SrvKeyServers.checkedName("_SIPS._tcp.Example.com."));
    }
}
