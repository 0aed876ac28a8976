package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.siptls.provider.system.SipTlsWorld.Terminal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every system test's world captures all that is logged (at every level) or printed, and when a test's
 * terminals close it searches that output for the master secret of every SA they held. This test shows the
 * search really runs on the SAs of a SIP resumption, so a leak anywhere in the run would fail its test.
 */
@Timeout(60)
@ExtendWith(SharedWorld.class)
class SecretsNotLoggedSystemTest {

    @Test
    void theSecretsOfTheSasBothEndsHeldAreSearchedForInTheRunsOutput(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, "secret?");
            Evidence.sipResumption(client, exchange.session(), server, echo.next().handshaken(), 1);
        }
        int before = world.secretsChecked();

        world.closeTerminals();

        assertEquals(2, world.secretsChecked() - before, "the SA as the client held it and as the server did");
    }
}
