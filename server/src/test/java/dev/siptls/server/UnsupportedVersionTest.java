package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * RFC 3261 8.2.2 (RFC 4475 3.1.2.16): a REGISTER of SIP version 7.0 proving its AOR gets {@code 505} over its
 * connection and registers nothing; the connection then serves a SIP/2.0 REGISTER as usual.
 */
class UnsupportedVersionTest {

    private static final String AOR = "sip:future@example.com";

    @Test
    void aRegisterOfAnotherSipVersionIsAnswered505AndRegistersNothing() throws Exception {
        try (Fixture f = new Fixture(); RawPeer peer = RawPeer.connect(f.server, f.pki.agent(AOR), 0, 0)) {
            String register = peer.register(AOR, 600);

            int status = peer.call(register.replaceFirst(" SIP/2\\.0\r\n", " SIP/7.0\r\n"));

            assertEquals(505, status);
            assertEquals(0, f.server.statistics().getTotalRegistrations());
            assertEquals(0, f.server.statistics().getTotalRefusals());
            assertEquals(200, peer.call(peer.register(AOR, 600)));
            assertEquals(1, f.server.statistics().getTotalRegistrations());
        }
    }
}
