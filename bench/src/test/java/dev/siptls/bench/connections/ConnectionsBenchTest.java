package dev.siptls.bench.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The load generator against the real key server in its own JVM, at a size a build can afford. */
class ConnectionsBenchTest {

    private static final int CONNECTIONS = 50;
    private static final int SA_CLIENTS = 2;

    @Test
    void registersEveryAgentOnItsOwnConnectionKeepsThemAliveAndReportsWellFormedFigures() throws Exception {
        ConnectionsBench.Settings settings = new ConnectionsBench.Settings(CONNECTIONS, 16, 1, SA_CLIENTS, 1, 2_000,
                Duration.ofSeconds(1), 3, Duration.ZERO, 2, 1, "512m");

        ConnectionsBench.Report r = ConnectionsBench.run(settings, line -> { });

        assertNull(r.ramp().stopReason(), "the ramp stopped");
        assertEquals(CONNECTIONS, r.reached());
        assertEquals(0, r.ramp().failed());
        // every load agent, the SA clients and their TLS server, each registered with its policy accepted
        assertEquals(CONNECTIONS + SA_CLIENTS + 1, r.counts().registrations());
        assertEquals(CONNECTIONS + SA_CLIENTS + 1, r.counts().policies());
        assertEquals(0, r.counts().refusals());

        // CRLFCRLF keep-alives, each answered with a CRLF; no registered connection lost, nothing asked of an agent
        assertTrue(r.idleTraffic().pings() >= CONNECTIONS, "keep-alives sent while idle: " + r.idleTraffic());
        assertTrue(r.idleTraffic().pongs() > 0, "keep-alives answered while idle: " + r.idleTraffic());
        assertTrue(r.total().pongs() <= r.total().pings(), r.total().toString());
        assertTrue(r.total().pongs() >= r.total().pings() - CONNECTIONS, "unanswered keep-alives: " + r.total());
        assertEquals(0, r.total().dropped());
        assertEquals(0, r.total().requests());

        // SA distribution among real agents, before the ramp and with the connections open: nothing failed
        for (AssociationLoad.Result run : new AssociationLoad.Result[] {r.before(), r.after()}) {
            assertTrue(run.count() > 0, "no SA distributed");
            assertEquals(0, run.failed(), run.firstError());
            assertTrue(run.percentileMillis(0.5) > 0 && run.percentileMillis(0.99) >= run.percentileMillis(0.5));
        }
        assertTrue(Double.isFinite(r.p50Ratio()) && Double.isFinite(r.p99Ratio()));

        // figures of the key server that can be read
        assertTrue(r.threadsIdle().live() > 0 && r.threadsIdle().peak() >= r.threadsIdle().live());
        assertTrue(r.heapBefore().usedBytes() > 0 && r.heapIdle().usedBytes() > 0);
        assertTrue(r.ramp().perSecond() > 0 && Double.isFinite(r.ramp().perSecond()));
        assertTrue(r.idleCpuMillisPerSecond() >= 0 && Double.isFinite(r.idleCpuMillisPerSecond()));
        assertTrue(r.keyServerFiles().max() > CONNECTIONS && r.keyServerFiles().open() > CONNECTIONS,
                r.keyServerFiles().toString());
        ConnectionsBench.print(r);
    }
}
