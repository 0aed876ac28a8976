package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * The key server refuses a connection from an ip:port whose previous connection closed under 64 s ago, so that
 * what the SIP stack still sends for a departed agent's transactions cannot reach a newcomer there
 * ({@link FlowBindingTest}). That refusal must be earned by a connection that could have had such
 * transactions: one that never even started TLS has none, yet before this test was written it locked its
 * ip:port out for 64 s. Anyone who shares an address with agents (a host, a NAT) and can reach the TLS port,
 * with no certificate at all, can so connect and close once from each ephemeral port (about 440 a second for
 * Linux's 28,232) and keep every agent behind that address from registering.
 */
class AddressQuarantineTest {

    @Test
    void aConnectionThatNeverStartedTlsDoesNotLockItsAddressOut() throws Exception {
        try (Fixture f = new Fixture()) {
            int port;
            try (Socket outsider = new Socket()) {
                outsider.setReuseAddress(true);
                outsider.bind(new InetSocketAddress("127.0.0.1", 0));
                outsider.connect(f.server.address(), 5_000);
                port = outsider.getLocalPort();
                outsider.setSoLinger(true, 0); // a reset: no TIME_WAIT left to keep the port from the agent
            }
            Thread.sleep(200); // let the key server see the close (the refusal holds either way)

            try (RawPeer carol = RawPeer.connect(f.server, f.pki.agent("sip:carol@example.com"), port, 0)) {
                assertEquals(200, carol.call(carol.register("sip:carol@example.com", 600)),
                        "an agent was refused because an unauthenticated connection had used its ip:port");
            } catch (java.io.IOException refused) {
                throw new AssertionError("an agent connecting from an ip:port that only a plain TCP connection, "
                        + "never TLS, had used was refused (" + f.server.statistics().getReusedAddressesRefused()
                        + " refused as reused addresses): " + refused);
            }
        }
    }
}
