package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.ContentTypes;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SuiteOffer;
import dev.siptls.protocol.XmlCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;

/**
 * Which protocol version an SA gets, over real mutual TLS: TLS 1.3 (an external PSK as long as its suite's hash)
 * when both policies list TLSv1.3 and share a TLS 1.3 suite the connection offers, TLS 1.2 as before otherwise,
 * 488 when the policies share no version. The statistics count the TLS 1.3 SAs.
 */
class Tls13AssociationTest extends OnOneKeyServer {

    private static final String AES_128 = "TLS_AES_128_GCM_SHA256";
    private static final String AES_256 = "TLS_AES_256_GCM_SHA384";
    private static final String CHACHA = "TLS_CHACHA20_POLY1305_SHA256";
    private static final XmlCodec CODEC = new XmlCodec();

    @Test
    void bothListingTls13GetATls13SaWithAPskOfTheSuitesHashLength() throws Exception {
        TestAgent server = fixture.serverAgent("sip:psk-server@example.com", new HostPort("psk.example.com", 443),
                AES_128, CHACHA, Fixture.SUITE_128);
        TestAgent client = fixture.client("sip:psk-client@example.com", CHACHA, AES_128, Fixture.SUITE_128);
        long issued = fixture.server.statistics().getTls13AssociationsIssued();

        SecurityAssociation sa = association(client, client.invite("sips:psk-server@example.com"));
        SecurityAssociation served = server.association(server.nextInvite());

        assertTrue(sa.isTls13());
        assertEquals("TLSv1.3", sa.protocolVersion());
        assertEquals(AES_128, sa.cipherSuite(), "the server's preference");
        byte[] psk = sa.masterSecret();
        assertEquals(32, psk.length);
        assertArrayEquals(psk, served.masterSecret(), "both agents hold the same PSK");
        assertEquals(sa.sessionIdHex(), new String(sa.pskIdentity(), StandardCharsets.US_ASCII));
        assertArrayEquals(sa.pskIdentity(), served.pskIdentity());
        assertEquals(issued + 1, fixture.server.statistics().getTls13AssociationsIssued());
        sa.destroy();
        served.destroy();
    }

    @Test
    void tls13WinsEvenWhereTheServerListsATls12SuiteFirst() throws Exception {
        fixture.serverAgent("sip:order-server@example.com", new HostPort("order.example.com", 443),
                Fixture.SUITE_128, CHACHA);
        TestAgent client = fixture.client("sip:order-client@example.com", Fixture.SUITE_128, CHACHA);

        SecurityAssociation sa = association(client, client.invite("sips:order-server@example.com"));

        assertEquals(CHACHA, sa.cipherSuite(), "the newest common version, as a TLS handshake negotiates it");
        sa.destroy();
    }

    @Test
    void aSha384SuiteFirstInTheServersOrderGetsA48BytePsk() throws Exception {
        fixture.serverAgent("sip:psk384-server@example.com", new HostPort("psk384.example.com", 443),
                AES_256, AES_128, Fixture.SUITE_128);
        TestAgent client = fixture.client("sip:psk384-client@example.com", AES_128, AES_256, Fixture.SUITE_128);

        SecurityAssociation sa = association(client, client.invite("sips:psk384-server@example.com"));

        assertEquals(AES_256, sa.cipherSuite());
        assertEquals(48, sa.masterSecret().length);
        sa.destroy();
    }

    @Test
    void aClientWithAnOldPolicyBodyGetsATls12Sa() throws Exception {
        fixture.serverAgent("sip:old-body-server@example.com", new HostPort("oldbody.example.com", 443),
                AES_128, Fixture.SUITE_128);
        TestAgent client = fixture.agent("sip:old-body-client@example.com");
        assertEquals(200, client.register(600).getStatusCode());
        // a policy body as agents wrote it before protocol versions existed
        byte[] old = ("<TLS><CipherSuite>" + Fixture.SUITE_128 + "</CipherSuite></TLS>")
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(200, client.message(ContentTypes.TYPE, ContentTypes.POLICY_SUBTYPE, old).getStatusCode());
        long issued = fixture.server.statistics().getTls13AssociationsIssued();

        SecurityAssociation sa = association(client, client.invite("sips:old-body-server@example.com"));

        assertFalse(sa.isTls13());
        assertEquals("TLSv1.2", sa.protocolVersion());
        assertEquals(Fixture.SUITE_128, sa.cipherSuite());
        assertEquals(48, sa.masterSecret().length);
        assertTrue(sa.extendedMasterSecret());
        assertEquals(issued, fixture.server.statistics().getTls13AssociationsIssued());
        sa.destroy();
    }

    @Test
    void aServerThatListsOnlyTls12GivesATls12Sa() throws Exception {
        fixture.serverAgent("sip:v12-server@example.com", new HostPort("v12.example.com", 443), Fixture.SUITE_128);
        TestAgent client = fixture.client("sip:v12-client@example.com", AES_128, Fixture.SUITE_128);

        SecurityAssociation sa = association(client, client.invite("sips:v12-server@example.com"));

        assertEquals("TLSv1.2", sa.protocolVersion());
        assertEquals(Fixture.SUITE_128, sa.cipherSuite());
        sa.destroy();
    }

    @Test
    void aConnectionOfferingNoTls13SuiteGetsATls12Sa() throws Exception {
        fixture.serverAgent("sip:offer12-server@example.com", new HostPort("offer12.example.com", 443),
                AES_128, Fixture.SUITE_256, Fixture.SUITE_128);
        TestAgent client = fixture.client("sip:offer12-client@example.com", AES_128, Fixture.SUITE_128,
                Fixture.SUITE_256);

        SecurityAssociation tls12 = association(client, client.send(invite(client, "sips:offer12-server@example.com",
                SuiteOffer.of(List.of(Fixture.SUITE_128, Fixture.SUITE_256)))));
        SecurityAssociation tls13 = association(client, client.send(invite(client, "sips:offer12-server@example.com",
                SuiteOffer.of(List.of(Fixture.SUITE_128, AES_128)))));

        assertEquals("TLSv1.2", tls12.protocolVersion());
        assertEquals(Fixture.SUITE_256, tls12.cipherSuite(), "the server's first among the offered");
        assertEquals(AES_128, tls13.cipherSuite(), "offered, so TLS 1.3");
        tls12.destroy();
        tls13.destroy();
    }

    @Test
    void policiesSharingNoTls13SuiteFallBackToTls12() throws Exception {
        fixture.serverAgent("sip:nosuite13-server@example.com", new HostPort("nosuite13.example.com", 443),
                AES_256, Fixture.SUITE_128);
        TestAgent client = fixture.client("sip:nosuite13-client@example.com", CHACHA, Fixture.SUITE_128);

        SecurityAssociation sa = association(client, client.invite("sips:nosuite13-server@example.com"));

        assertEquals(Fixture.SUITE_128, sa.cipherSuite());
        sa.destroy();
    }

    @Test
    void policiesSharingNoVersionGet488() throws Exception {
        TestAgent server = fixture.serverAgent("sip:noversion-server@example.com",
                new HostPort("noversion.example.com", 443), Fixture.SUITE_128);
        TestAgent client = fixture.client("sip:noversion-client@example.com", AES_128);
        long before = fixture.refusals(488, "no-common-version");

        Response refused = client.invite("sips:noversion-server@example.com");

        assertEquals(488, refused.getStatusCode());
        assertEquals("No common TLS version: the client accepts TLSv1.3 only, the server TLSv1.2 only",
                refused.getReasonPhrase());
        assertEquals(before + 1, fixture.refusals(488, "no-common-version"));
        assertTrue(server.invites.isEmpty(), "the server agent was asked");
    }

    private static Request invite(TestAgent client, String target, SuiteOffer offer) throws Exception {
        Request invite = client.inviteRequest(target);
        invite.setContent(CODEC.encode(offer), client.endpoint.headerFactory().createContentTypeHeader(
                ContentTypes.TYPE, ContentTypes.SUITE_OFFER_SUBTYPE));
        return invite;
    }

    private static SecurityAssociation association(TestAgent client, Response ok) throws Exception {
        assertEquals(200, ok.getStatusCode(), ok.getReasonPhrase());
        return client.association(ok);
    }
}
