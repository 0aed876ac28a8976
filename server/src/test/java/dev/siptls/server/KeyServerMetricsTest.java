package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.sip.testing.TestPki;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The key server's meters read what really happened over TLS, and its health says when it may take agents. */
class KeyServerMetricsTest {

    @Test
    void metersFollowRegistrationsAssociationsRefusalsAndLatencies() throws Exception {
        try (Fixture fixture = new Fixture()) {
            // a refusal from before the binding is there too
            TestAgent impostor = fixture.agent(fixture.pki.agent("sip:mallory@example.com"), "sip:victim@example.com");
            assertEquals(403, impostor.register(600).getStatusCode());
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            fixture.server.metrics().bindTo(registry);
            assertEquals(1, refusals(registry, "403", "cert-does-not-prove-aor"));

            fixture.serverAgent("sip:m-server@example.com", new HostPort("m.example.com", 443));
            TestAgent client = fixture.client("sip:m-client@example.com");
            assertEquals(200, client.invite("sips:m-server@example.com").getStatusCode());
            assertEquals(404, client.invite("sips:nobody@example.com").getStatusCode());
            assertEquals(403, impostor.register(600).getStatusCode());

            assertEquals(2, counter(registry, "siptls.keyserver.registrations.new"));
            assertEquals(2, registry.get("siptls.keyserver.registrations.current").gauge().value());
            assertEquals(2, counter(registry, "siptls.keyserver.policies.accepted"));
            double issued = registry.get("siptls.keyserver.sas.issued").functionCounters().stream()
                    .mapToDouble(FunctionCounter::count).sum();
            assertEquals(1, issued);
            assertEquals(2, refusals(registry, "403", "cert-does-not-prove-aor"), "counted before and after binding");
            assertEquals(1, refusals(registry, "404", "unknown-target"), "a reason first seen after binding");
            // a latency is recorded once its response has been sent, so the agent may see it a moment before
            Polling.until(() -> timer(registry, "siptls.keyserver.invite.latency").count() == 2
                    && timer(registry, "siptls.keyserver.register.latency").count() == 3 // 2 accepted, 1 refused
                    && timer(registry, "siptls.keyserver.policy.latency").count() == 2);
            assertEquals(1, timer(registry, "siptls.keyserver.relay.latency").count());
            assertTrue(timer(registry, "siptls.keyserver.invite.latency").max(java.util.concurrent.TimeUnit.NANOSECONDS)
                    > 0);
            assertTrue(registry.get("siptls.keyserver.connections.open").gauge().value() >= 2);
            assertEquals("test-keyserver", registry.get("siptls.keyserver.sas.issued").functionCounters().iterator()
                    .next().getId().getTag("keyserver"));
            assertNull(registry.find("siptls.keyserver.cluster.relayed").functionCounter(), "alone: no cluster meters");
        }
    }

    @Test
    void aClusterNodeThatMayNotDecideIsLiveButNotReady() throws Exception {
        TestPki nodesPki = new TestPki();
        InMemorySharedState state = new InMemorySharedState.Store().node("a");
        NodeLinks links = new NodeLinks(nodesPki.identity("node-a", List.of("127.0.0.1")), "127.0.0.1", 0);
        try (Fixture fixture = new Fixture(c -> c.cluster(state, links))) {
            KeyServer node = fixture.server;
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            node.metrics().bindTo(registry);
            assertTrue(node.readiness().up(), node.readiness().detail());

            state.available = false;

            assertTrue(node.liveness().up());
            assertFalse(node.readiness().up());
            assertTrue(node.readiness().detail().contains("cluster state not available"), node.readiness().detail());
            assertEquals(0, registry.get("siptls.keyserver.cluster.relayed").tag("direction", "to-node")
                    .functionCounter().count());

            state.available = true;
            assertTrue(node.readiness().up());
        }
    }

    @Test
    void aClosedKeyServerIsNeitherLiveNorReady() throws Exception {
        Fixture fixture = new Fixture();
        KeyServer server = fixture.server;
        assertTrue(server.liveness().up(), server.liveness().detail());
        assertTrue(server.readiness().up(), server.readiness().detail());

        fixture.close();

        assertFalse(server.liveness().up());
        assertFalse(server.readiness().up());
        assertEquals("key server closed", server.readiness().detail());
    }

    private static double counter(SimpleMeterRegistry registry, String name) {
        return registry.get(name).functionCounter().count();
    }

    private static double refusals(SimpleMeterRegistry registry, String status, String reason) {
        return registry.get("siptls.keyserver.refusals").tag("status", status).tag("reason", reason)
                .functionCounter().count();
    }

    private static Timer timer(SimpleMeterRegistry registry, String name) {
        return registry.get(name).timer();
    }
}
