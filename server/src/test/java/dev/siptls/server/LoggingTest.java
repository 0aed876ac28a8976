package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.sip.testing.LogCapture;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whatever the key server and its SIP stack log while distributing an SA, the master secret is not in it. */
class LoggingTest {

    @Test
    void logsOfAnSaDistributionHoldNoMasterSecret() throws Exception {
        byte[] secret;
        String all;
        try (LogCapture capture = LogCapture.start()) {
            try (Fixture fixture = new Fixture()) {
                TestAgent server = fixture.serverAgent("sip:log-server@example.com",
                        new HostPort("log.example.com", 443));
                TestAgent client = fixture.client("sip:log-client@example.com");
                assertEquals(200, client.invite("sips:log-server@example.com").getStatusCode());
                SecurityAssociation sa = server.association(server.nextInvite());
                secret = sa.masterSecret();
                server.nextAck();
            }
            assertEquals(Optional.empty(), capture.leak(secret));
            all = capture.text();
        }

        assertTrue(all.contains("sent to the client"), "the DEBUG decisions were captured");
        assertFalse(all.contains("MasterSecret"));
    }
}
