package dev.siptls.bench.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.sip.CertificateAuthority;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ForkedKeyServerTest {

    @Test
    void reportsItsHeapAndStopsWhenAskedTo() throws Exception {
        ForkedKeyServer server = ForkedKeyServer.start(CertificateAuthority.create("test CA"));
        try {
            ForkedKeyServer.Heap heap = server.heap();
            assertTrue(heap.usedBytes() > 0 && heap.usedBytes() < heap.maxBytes(), heap.toString());
            assertTrue(heap.maxBytes() <= 512L * 1024 * 1024, "the child runs with -Xmx512m: " + heap);
            assertEquals(new ForkedKeyServer.Counts(0, 0, 0, 0), server.counts());
        } finally {
            server.close();
        }
        assertFalse(server.isAlive());
        assertEquals(0, server.exitValue());
    }

    @Test
    void stopsWhenItsParentGoesAwayAndItsInputEnds() throws Exception {
        ForkedKeyServer server = ForkedKeyServer.start(CertificateAuthority.create("test CA"));
        try {
            server.process().getOutputStream().close();
            assertTrue(server.process().waitFor(30, TimeUnit.SECONDS), "child still running after stdin ended");
            assertEquals(0, server.exitValue());
        } finally {
            server.close();
        }
    }
}
