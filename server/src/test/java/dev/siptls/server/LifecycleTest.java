package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class LifecycleTest {

    @Test
    void closingLeavesNoThreadBehind() throws Exception {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        Fixture fixture = new Fixture();
        fixture.serverAgent("sip:life-server@example.com", new HostPort("life.example.com", 443));
        TestAgent client = fixture.client("sip:life-client@example.com");
        assertEquals(200, client.invite("sips:life-server@example.com").getStatusCode());

        fixture.close();

        try {
            Polling.until(() -> newThreads(before).isEmpty());
        } catch (AssertionError e) {
            throw new AssertionError("threads left: " + newThreads(before), e);
        }
    }

    @Test
    void statisticsAreAnMXBeanWhileTheServerRuns() throws Exception {
        ObjectName name;
        try (Fixture fixture = new Fixture()) {
            name = fixture.server.statisticsName().orElseThrow();
            fixture.client("sip:life-stats@example.com");

            Object registrations = ManagementFactory.getPlatformMBeanServer().getAttribute(name,
                    "CurrentRegistrations");

            assertEquals(1L, registrations);
            assertTrue(ManagementFactory.getPlatformMBeanServer().getAttribute(name, "Refusals")
                    instanceof javax.management.openmbean.TabularData);
            assertTrue(name.toString().startsWith("dev.siptls:type=KeyServer,name=test-keyserver"));
        }
        assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(name));
    }

    @Test
    void closeIsIdempotent() throws Exception {
        Fixture fixture = new Fixture();
        fixture.close();
        fixture.server.close();
    }

    private static Set<String> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t))
                .map(Thread::getName)
                .collect(Collectors.toSet());
    }
}
