package dev.siptls.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.ScriptedKeyServer.Reply;
import dev.siptls.protocol.ContentTypes;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.protocol.XmlCodec;
import dev.siptls.sip.testing.TestPki;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import gov.nist.javax.sip.stack.SIPTransaction;
import java.util.concurrent.atomic.AtomicReference;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent against a key server that can lie: what it sends (PROTOCOL.md's wire format), and what it refuses
 * to believe, in both roles. Real JAIN-SIP stacks over mutual TLS on loopback.
 */
class SipTlsAgentTest {

    private static final String BOB = "sip:bob@example.com";
    private static final HostPort WWW = new HostPort("www.example.com", 8443);
    private static final XmlCodec CODEC = new XmlCodec();

    private final TestPki pki = new TestPki();
    private ScriptedKeyServer keyServer;
    private SipTlsAgent bob;
    private volatile Optional<String> refusal = Optional.empty();
    /** Runs while the agent judges an offered SA, its INVITE transaction alive. */
    private volatile Runnable whileAccepting = () -> { };

    @BeforeEach
    void start() throws Exception {
        keyServer = new ScriptedKeyServer(pki.keyServer());
        bob = SipTlsAgent.builder().aor(BOB).identity(pki.agent(BOB)).keyServer(keyServer.address())
                .keyServerName("localhost")
                .policy(SecurityPolicy.builder().cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256").build())
                // generous: an answer on loopback takes milliseconds, but a loaded machine can stall a JVM for
                // over a second, and a test must not fail on how long an answer takes
                .requestTimeout(Duration.ofSeconds(10))
                .acceptor(sa -> {
                    whileAccepting.run();
                    return refusal;
                })
                .build();
        bob.start();
        assertTrue(bob.awaitRegistered(Duration.ofSeconds(10)), bob.lastError().orElse(""));
    }

    @AfterEach
    void stop() {
        bob.close();
        keyServer.close();
    }

    // ---- phase 1 on the wire -------------------------------------------------------------------------

    @Test
    void registersTheAorAtItsDomainWithASecureContactAndAnExpiry() throws Exception {
        Request register = keyServer.next(Request.REGISTER);

        assertEquals("sips:example.com", register.getRequestURI().toString());
        assertEquals(BOB, ((FromHeader) register.getHeader(FromHeader.NAME)).getAddress().getURI().toString());
        assertEquals(BOB, ((ToHeader) register.getHeader(ToHeader.NAME)).getAddress().getURI().toString());
        SipURI contact = (SipURI) ((ContactHeader) register.getHeader(ContactHeader.NAME)).getAddress().getURI();
        assertTrue(contact.isSecure());
        assertEquals("bob", contact.getUser());
        assertEquals("tls", contact.getTransportParam());
        assertEquals(600, ((ExpiresHeader) register.getHeader(ExpiresHeader.NAME)).getExpires());
    }

    @Test
    void publishesItsPolicyInAMessageAfterRegistering() throws Exception {
        keyServer.next(Request.REGISTER);
        Request message = keyServer.next(Request.MESSAGE);

        ContentTypeHeader type = (ContentTypeHeader) message.getHeader(ContentTypeHeader.NAME);
        assertEquals(ContentTypes.POLICY, type.getContentType() + "/" + type.getContentSubType());
        assertEquals(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
                CODEC.decodePolicy(message.getRawContent()).cipherSuites());
    }

    @Test
    void unregistersWhenClosed() throws Exception {
        keyServer.next(Request.REGISTER);
        bob.close();

        Request unregister = keyServer.next(Request.REGISTER);
        assertEquals(0, ((ExpiresHeader) unregister.getHeader(ExpiresHeader.NAME)).getExpires());
        assertEquals(RegistrationState.STOPPED, bob.state());
    }

    // ---- server role ---------------------------------------------------------------------------------

    @Test
    void acceptsAnSaOfferedToItAndHoldsIt() throws Exception {
        SecurityAssociation sa = association("sip:alice@example.com", BOB, Instant.now());

        Response answer = offer(sa);

        assertEquals(200, answer.getStatusCode());
        assertEquals(sa.sessionIdHex(), bob.associations().bySessionId(sa.sessionId()).orElseThrow().sessionIdHex());
        assertEquals(1, bob.statistics().associationsAccepted());
    }

    @Test
    void refusesAnSaNamingAnotherServer() throws Exception {
        Response answer = offer(association("sip:alice@example.com", "sip:carol@example.com", Instant.now()));

        assertEquals(488, answer.getStatusCode());
        assertTrue(answer.getReasonPhrase().contains("carol"), answer.getReasonPhrase());
        assertEquals(0, bob.associations().size());
    }

    @Test
    void refusesAnExpiredSa() throws Exception {
        Response answer = offer(association("sip:alice@example.com", BOB, Instant.now().minus(Duration.ofHours(2))));

        assertEquals(488, answer.getStatusCode());
        assertEquals(0, bob.associations().size());
    }

    @Test
    void refusesASecondOfferOfASessionIdItHolds() throws Exception {
        SecurityAssociation sa = association("sip:alice@example.com", BOB, Instant.now());
        byte[] body = CODEC.encode(sa);
        assertEquals(200, keyServer.offer(body, ContentTypes.ASSOCIATION).get(10, TimeUnit.SECONDS).getStatusCode());

        Response again = keyServer.offer(body, ContentTypes.ASSOCIATION).get(10, TimeUnit.SECONDS);

        assertEquals(488, again.getStatusCode());
        assertEquals(1, bob.associations().size());
    }

    @Test
    void refusesAMalformedSaBody() throws Exception {
        Response answer = keyServer.offer("<TLS><SessionID>x</SessionID></TLS>".getBytes(StandardCharsets.UTF_8),
                ContentTypes.ASSOCIATION).get(10, TimeUnit.SECONDS);

        assertEquals(400, answer.getStatusCode());
    }

    @Test
    void refusesAnInviteWithoutAnSaBody() throws Exception {
        assertEquals(400, keyServer.offer(null, null).get(10, TimeUnit.SECONDS).getStatusCode());
        assertEquals(400, keyServer.offer("<TLS/>".getBytes(StandardCharsets.UTF_8), "application/xml")
                .get(10, TimeUnit.SECONDS).getStatusCode());
    }

    @Test
    void refusesWhatItsAcceptorRefusesWithTheAcceptorsReason() throws Exception {
        refusal = Optional.of("client not trusted");

        Response answer = offer(association("sip:alice@example.com", BOB, Instant.now()));

        assertEquals(488, answer.getStatusCode());
        assertEquals("client not trusted", answer.getReasonPhrase());
        assertEquals(0, bob.associations().size());
        assertEquals(1, bob.statistics().associationsRefusedAsServer());
    }

    @Test
    void keepsNoDialogOnceTheAckArrived() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, offer(association("sip:alice@example.com", BOB, Instant.now())).getStatusCode());
        }
        awaitNoDialog();
    }

    // ---- client role ---------------------------------------------------------------------------------

    @Test
    void asksForTheTargetAsRequestUriWithoutBody() throws Exception {
        keyServer.inviteReply = r -> new Reply(404, "Not Found", null, null);
        bob.requestAssociation("www.example.com:8443").exceptionally(e -> null).get(10, TimeUnit.SECONDS);
        bob.requestAssociation("sip:carol@example.com").exceptionally(e -> null).get(10, TimeUnit.SECONDS);

        Request byAddress = keyServer.next(Request.INVITE);
        Request byAor = keyServer.next(Request.INVITE);
        assertEquals("sips:www.example.com:8443", byAddress.getRequestURI().toString());
        assertEquals("sips:carol@example.com", byAor.getRequestURI().toString());
        assertEquals(null, byAor.getRawContent());
    }

    @Test
    void carriesTheConnectionsSuitesThatAnSaCanHaveInItsRequest() throws Exception {
        keyServer.inviteReply = r -> new Reply(488, "No common cipher suite", null, null);
        List<String> enabled = List.of("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");

        Throwable refused = failure(bob.requestAssociation("www.example.com:8443", enabled));

        assertInstanceOf(AssociationRefusedException.class, refused);
        Request invite = keyServer.next(Request.INVITE);
        ContentTypeHeader type = (ContentTypeHeader) invite.getHeader(ContentTypeHeader.NAME);
        assertEquals(ContentTypes.SUITE_OFFER, type.getContentType() + "/" + type.getContentSubType());
        assertEquals(List.of("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), CODEC.decodeSuiteOffer(invite.getRawContent()).cipherSuites(),
                "TLS 1.3 suites too: a TLS 1.3 SA is a PSK for them");
    }

    @Test
    void refusesAtOnceAConnectionOfferingNoSuiteAnSaCanHave() throws Exception {
        Throwable refused = failure(bob.requestAssociation("www.example.com:8443",
                List.of("TLS_AES_128_CCM_SHA256", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV")));

        assertInstanceOf(IllegalArgumentException.class, refused);
        assertEquals(1, bob.statistics().associationsFailed());
    }

    @Test
    void storesAValidSaAndAcksIt() throws Exception {
        SecurityAssociation sa = association(BOB, "sip:carol@example.com", Instant.now());
        keyServer.inviteReply = r -> Reply.sa(CODEC.encode(sa));

        SecurityAssociation got = bob.requestAssociation("sip:carol@example.com").get(10, TimeUnit.SECONDS);

        assertEquals(sa.sessionIdHex(), got.sessionIdHex());
        assertEquals(got, bob.associations().byPeer(WWW).orElseThrow());
        assertNotNull(keyServer.next(Request.ACK));
        awaitNoDialog();
    }

    @Test
    void storesATls13SaAsItStoresATls12One() throws Exception {
        SecurityAssociation sa = TestAssociations.tls13(BOB, "sip:carol@example.com", WWW,
                Instant.now().truncatedTo(ChronoUnit.SECONDS), Duration.ofHours(1), "TLS_AES_256_GCM_SHA384");
        byte[] psk = sa.masterSecret();
        keyServer.inviteReply = r -> Reply.sa(CODEC.encode(sa));

        SecurityAssociation got = bob.requestAssociation("www.example.com:8443",
                List.of("TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")).get(10, TimeUnit.SECONDS);

        assertTrue(got.isTls13());
        assertArrayEquals(psk, got.masterSecret());
        assertEquals(got, bob.associations().byPeer(WWW, List.of("TLS_AES_256_GCM_SHA384")).orElseThrow());
        assertEquals(got, bob.associations().bySessionId(sa.sessionId(), AssociationStore.Role.CLIENT).orElseThrow());
        assertNotNull(keyServer.next(Request.ACK));
    }

    @Test
    void acceptsATls13SaOfferedToItAsServer() throws Exception {
        SecurityAssociation sa = TestAssociations.tls13("sip:alice@example.com", BOB, WWW,
                Instant.now().truncatedTo(ChronoUnit.SECONDS), Duration.ofHours(1), "TLS_AES_128_GCM_SHA256");

        Response answer = offer(sa);

        assertEquals(200, answer.getStatusCode());
        SecurityAssociation held = bob.associations().bySessionId(sa.sessionId(), AssociationStore.Role.SERVER)
                .orElseThrow();
        assertTrue(held.isTls13());
        assertArrayEquals(sa.masterSecret(), held.masterSecret());
    }

    @Test
    void leavesNoSaBodyInTheResponseItsStackKept() throws Exception {
        SecurityAssociation sa = association(BOB, "sip:carol@example.com", Instant.now());
        AtomicReference<SIPTransaction> kept = new AtomicReference<>();
        keyServer.inviteReply = r -> { // the agent's INVITE transaction is alive until this is answered
            kept.set(bob.keptTransaction(((ViaHeader) r.getHeader(ViaHeader.NAME)).getBranch(), false));
            return Reply.sa(CODEC.encode(sa));
        };

        bob.requestAssociation("sip:carol@example.com").get(10, TimeUnit.SECONDS);

        assertNotNull(kept.get(), "the INVITE transaction was in the stack");
        assertAllZero(kept.get().getLastResponse().getRawContent());
    }

    @Test
    void leavesNoSaBodyInTheOfferItsStackKept() throws Exception {
        SecurityAssociation sa = association("sip:alice@example.com", BOB, Instant.now());
        AtomicReference<SIPTransaction> kept = new AtomicReference<>();
        whileAccepting = () -> kept.set(bob.keptTransaction(
                ((ViaHeader) keyServer.lastOffer.getHeader(ViaHeader.NAME)).getBranch(), true));

        Response answer = offer(sa);

        assertEquals(200, answer.getStatusCode());
        assertNotNull(kept.get(), "the INVITE transaction was in the stack");
        assertAllZero(kept.get().getOriginalRequest().getRawContent());
    }

    private static void assertAllZero(byte[] body) {
        assertTrue(body != null && body.length > 100, "an SA body was kept");
        assertArrayEquals(new byte[body.length], body, "the SA body is wiped");
    }

    @Test
    void refusesAnSaForAnotherClientButStillAcks() throws Exception {
        keyServer.inviteReply = r -> Reply.sa(CODEC.encode(association("sip:mallory@example.com",
                "sip:carol@example.com", Instant.now())));

        Throwable cause = failure(bob.requestAssociation("sip:carol@example.com"));

        assertInstanceOf(ProtocolException.class, cause);
        assertNotNull(keyServer.next(Request.ACK));
        assertEquals(0, bob.associations().size());
    }

    @Test
    void refusesAnSaForAnotherAddressThanRequested() throws Exception {
        keyServer.inviteReply = r -> Reply.sa(CODEC.encode(association(BOB, "sip:carol@example.com", Instant.now())));

        assertInstanceOf(ProtocolException.class, failure(bob.requestAssociation("www.example.com:443")));
        assertEquals(0, bob.associations().size());
    }

    @Test
    void refusesA200WithoutAnSaBody() throws Exception {
        keyServer.inviteReply = r -> new Reply(200, "OK", "hello".getBytes(StandardCharsets.UTF_8), "text/plain");

        assertInstanceOf(ProtocolException.class, failure(bob.requestAssociation("sip:carol@example.com")));
        assertNotNull(keyServer.next(Request.ACK));
    }

    @Test
    void reportsARefusalWithItsStatusAndReason() throws Exception {
        keyServer.inviteReply = r -> new Reply(403, "Not authorized to reach sip:carol@example.com", null, null);

        AssociationRefusedException e = assertInstanceOf(AssociationRefusedException.class,
                failure(bob.requestAssociation("sip:carol@example.com")));

        assertEquals(403, e.statusCode());
        assertEquals("Not authorized to reach sip:carol@example.com", e.reason());
        assertEquals(1L, bob.statistics().associationsRefusedByCode().get(403));
    }

    @Test
    void timesOutWhenTheKeyServerNeverAnswers() throws Exception {
        keyServer.inviteReply = r -> Reply.SILENT;
        try (SipTlsAgent impatient = SipTlsAgent.builder().aor(BOB).identity(pki.agent(BOB))
                .keyServer(keyServer.address()).keyServerName("localhost")
                .policy(SecurityPolicy.builder().cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256").build())
                .requestTimeout(Duration.ofSeconds(1)).build()) {
            impatient.start();
            assertTrue(impatient.awaitRegistered(Duration.ofSeconds(10)), impatient.lastError().orElse(""));

            assertInstanceOf(TimeoutException.class, failure(impatient.requestAssociation("sip:carol@example.com")));
        }
    }

    @Test
    void failsPendingRequestsWhenClosed() throws Exception {
        keyServer.inviteReply = r -> Reply.SILENT;
        var pending = bob.requestAssociation("sip:carol@example.com");
        keyServer.next(Request.INVITE);

        bob.close();

        assertInstanceOf(java.io.IOException.class, failure(pending));
    }

    @Test
    void failsPendingRequestsAtOnceWhenTheKeyServerConnectionDrops() throws Exception {
        String carol = "sip:carol@example.com";
        try (SipTlsAgent patient = SipTlsAgent.builder().aor(carol).identity(pki.agent(carol))
                .keyServer(keyServer.address()).keyServerName("localhost")
                .policy(SecurityPolicy.builder().cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256").build())
                .requestTimeout(Duration.ofMinutes(5)).build()) {
            patient.start();
            assertTrue(patient.awaitRegistered(Duration.ofSeconds(10)), patient.lastError().orElse(""));
            keyServer.inviteReply = r -> Reply.SILENT;
            var pending = patient.requestAssociation(BOB);
            keyServer.next(Request.INVITE);

            keyServer.close();

            // answered within failure()'s 10 s wait although the request timeout is 5 minutes
            Throwable cause = failure(pending);
            assertInstanceOf(java.io.IOException.class, cause);
            assertEquals("connection to the key server lost", cause.getMessage());
        }
    }

    private Response offer(SecurityAssociation sa) throws Exception {
        return keyServer.offer(CODEC.encode(sa), ContentTypes.ASSOCIATION).get(10, TimeUnit.SECONDS);
    }

    private static SecurityAssociation association(String client, String server, Instant created) {
        return TestAssociations.sa(client, server, WWW, created.truncatedTo(ChronoUnit.SECONDS), Duration.ofHours(1));
    }

    private static Throwable failure(java.util.concurrent.CompletableFuture<SecurityAssociation> future) {
        return assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS)).getCause();
    }

    private void awaitNoDialog() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bob.openDialogs() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, bob.openDialogs());
    }
}
