package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.siptls.provider.SipTlsProviderMetrics;
import dev.siptls.provider.system.SipTlsWorld.Terminal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The provider's counters, bridged to Micrometer, move with a real SIP resumption. */
@Timeout(60)
@ExtendWith(SharedWorld.class)
class ProviderMetricsSystemTest {

    @Test
    void bridgedMetersCountASipResumption(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new SipTlsProviderMetrics(client.provider()).bindTo(registry);
        new SipTlsProviderMetrics(server.provider()).bindTo(registry);
        String clientAor = client.provider().configuration().orElseThrow().aor();
        String serverAor = server.provider().configuration().orElseThrow().aor();
        assertEquals(0, sipResumptions(registry, clientAor, "client"));
        assertEquals(1, registry.get("siptls.provider.agent.registered").tag("aor", clientAor).gauge().value());

        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, "metered");
            assertEquals("echo: metered", exchange.answer());
            echo.next().handshaken();
        }

        Evidence.eventually(1, () -> (long) sipResumptions(registry, clientAor, "client"), "client");
        Evidence.eventually(1, () -> (long) sipResumptions(registry, serverAor, "server"), "server");
        assertEquals(1, registry.get("siptls.provider.sas.requested").tag("aor", clientAor).functionCounter().count());
        assertEquals(1, registry.get("siptls.provider.sas.request.latency").tag("aor", clientAor).functionTimer()
                .count());
        assertEquals(1, registry.get("siptls.provider.sas.accepted").tag("aor", serverAor).functionCounter().count());
        assertEquals(0, registry.get("siptls.provider.handshakes").tags("aor", clientAor, "kind", "full")
                .functionCounters().stream().mapToDouble(c -> c.count()).sum());
    }

    private static double sipResumptions(SimpleMeterRegistry registry, String aor, String role) {
        return registry.get("siptls.provider.handshakes").tags("aor", aor, "role", role, "kind", "sip")
                .functionCounter().count();
    }
}
