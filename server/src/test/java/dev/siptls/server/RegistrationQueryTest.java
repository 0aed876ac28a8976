package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.PossessionProof;
import dev.siptls.sip.TlsIdentity;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.header.ContactHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;

/**
 * REGISTER without Contact asks where an AOR is registered (RFC 3261 10.2.3) and changes nothing: what
 * {@code sip-tls check} sends before it would register, so that it never takes a running application's
 * registration over.
 */
class RegistrationQueryTest extends OnOneKeyServer {

    private static final int NO_EXPIRES = -1;
    private static final Pattern LOCAL = Pattern.compile(
            "<sip:(.+)@127\\.0\\.0\\.1:(\\d+);transport=tls>;expires=(\\d+)");

    @Test
    void listsTheLiveRegistrationToTheAorsCertificateAndLeavesItWhereItIs() throws Exception {
        TlsIdentity web = fixture.pki.agent("sip:q-web@example.com");
        HostPort binding = new HostPort("q-web.example.com", 443);
        TestAgent running = fixture.agent(web, "sip:q-web@example.com");
        assertEquals(200, running.register(600).getStatusCode());
        assertEquals(200, fixture.publishServerPolicy(running, binding).getStatusCode());
        TestAgent client = fixture.client("sip:q-client@example.com");
        Counters counters = (Counters) fixture.server.statistics();
        long created = counters.registrationsCreated.sum();
        long refreshed = counters.registrationsRefreshed.sum();
        long queries = counters.registrationQueries();
        TestAgent check = fixture.agent(web, "sip:q-web@example.com");

        Response answer = check.query(NO_EXPIRES);

        assertEquals(200, answer.getStatusCode(), answer.getReasonPhrase());
        String listed = RawPeer.header(answer.toString(), ContactHeader.NAME);
        Matcher m = LOCAL.matcher(listed);
        assertTrue(m.matches(), listed);
        assertEquals("q-web", m.group(1));
        int left = Integer.parseInt(m.group(3));
        assertTrue(left > 0 && left <= 600, listed);
        assertNull(answer.getHeader(PossessionProof.CHALLENGE_HEADER), "a query gets no nonce");
        assertEquals(created, counters.registrationsCreated.sum());
        assertEquals(refreshed, counters.registrationsRefreshed.sum());
        assertEquals(queries + 1, counters.registrationQueries());
        // the registration did not move to the querying connection: the SA still reaches the running agent
        assertEquals(200, client.invite("sips:q-web.example.com:443").getStatusCode());
        assertNotNull(running.nextInvite(), "the SA goes to the registered agent");
        assertEquals(0, check.invites.size());
    }

    @Test
    void listsNothingForAnAorRegisteredNowhereAndRegistersNothing() throws Exception {
        TestAgent check = fixture.agent("sip:q-none@example.com");
        TestAgent client = fixture.client("sip:q-asker@example.com");

        Response answer = check.query(NO_EXPIRES);

        assertEquals(200, answer.getStatusCode(), answer.getReasonPhrase());
        assertNull(answer.getHeader(ContactHeader.NAME));
        assertEquals(404, client.invite("sips:q-none@example.com").getStatusCode(), "still registered nowhere");
    }

    @Test
    void refusesACertificateThatDoesNotProveTheAor() throws Exception {
        HostPort binding = new HostPort("q-victim.example.com", 443);
        TestAgent victim = fixture.serverAgent("sip:q-victim@example.com", binding);
        TestAgent client = fixture.client("sip:q-other@example.com");
        TestAgent mallory = fixture.agent(fixture.pki.agent("sip:q-mallory@example.com"), "sip:q-victim@example.com");

        Response refused = mallory.query(NO_EXPIRES);

        assertEquals(403, refused.getStatusCode());
        assertEquals("Certificate does not prove sip:q-victim@example.com", refused.getReasonPhrase());
        assertNull(refused.getHeader(ContactHeader.NAME));
        assertEquals(200, client.invite("sips:q-victim.example.com:443").getStatusCode());
        assertNotNull(victim.nextInvite());
    }

    @Test
    void expiresZeroWithoutContactStillUnregisters() throws Exception {
        TestAgent gone = fixture.agent("sip:q-gone@example.com");
        assertEquals(200, gone.register(600).getStatusCode());
        TestAgent client = fixture.client("sip:q-caller@example.com");

        assertEquals(200, gone.query(0).getStatusCode());

        assertEquals(480, client.invite("sips:q-gone@example.com").getStatusCode());
    }
}
