package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * An SA request that carries the suites its client connection offers, over real mutual TLS: the SA's suite is the
 * server's first choice among those; a request without the list is answered as before; a malformed or hostile
 * list is a 400 that changes nothing.
 */
class SuiteOfferTest extends OnOneKeyServer {

    private static final XmlCodec CODEC = new XmlCodec();

    @Test
    void theSuiteIsTheServersFirstChoiceAmongTheOffered() throws Exception {
        fixture.serverAgent("sip:offer-server@example.com", new HostPort("offer.example.com", 443),
                Fixture.SUITE_256, Fixture.SUITE_128);
        TestAgent client = fixture.client("sip:offer-client@example.com", Fixture.SUITE_256, Fixture.SUITE_128);

        Response offered = client.send(invite(client, "sips:offer-server@example.com",
                CODEC.encode(SuiteOffer.of(List.of(Fixture.SUITE_RSA, Fixture.SUITE_128)))));
        Response plain = client.invite("sips:offer-server@example.com");

        assertEquals(Fixture.SUITE_128, suiteOf(client, offered));
        assertEquals(Fixture.SUITE_256, suiteOf(client, plain), "without an offer, as before");
    }

    @Test
    void anOfferSharingNoSuiteWithBothPoliciesGetsTheNoCommonSuiteRefusal() throws Exception {
        TestAgent server = fixture.serverAgent("sip:nooffer-server@example.com",
                new HostPort("nooffer.example.com", 443), Fixture.SUITE_256, Fixture.SUITE_128);
        TestAgent client = fixture.client("sip:nooffer-client@example.com", Fixture.SUITE_256, Fixture.SUITE_128);

        Response refused = client.send(invite(client, "sips:nooffer-server@example.com",
                CODEC.encode(SuiteOffer.of(List.of(Fixture.SUITE_RSA)))));

        assertEquals(488, refused.getStatusCode());
        assertEquals("No common cipher suite the client connection offers", refused.getReasonPhrase());
        assertTrue(server.invites.isEmpty(), "the server agent was asked");
    }

    @Test
    void malformedOrHostileOffersAre400AndChangeNothing() throws Exception {
        TestAgent server = fixture.serverAgent("sip:bad-offer-server@example.com",
                new HostPort("badoffer.example.com", 443), Fixture.SUITE_256, Fixture.SUITE_128);
        TestAgent client = fixture.client("sip:bad-offer-client@example.com", Fixture.SUITE_256, Fixture.SUITE_128);
        String target = "sips:bad-offer-server@example.com";
        String suite = "<CipherSuite>" + Fixture.SUITE_128 + "</CipherSuite>";
        List<String> hostile = List.of(
                "<TLS>" + suite + "<CipherSuite>TLS_MADE_UP</CipherSuite></TLS>",
                "<TLS>" + suite + suite + "</TLS>",
                "<TLS></TLS>",
                "",
                "<TLS>" + suite,
                "<!DOCTYPE TLS [<!ENTITY x \"" + Fixture.SUITE_128 + "\">]><TLS><CipherSuite>&x;</CipherSuite></TLS>",
                "<TLS>" + suite.repeat(SuiteOffer.MAX_SUITES + 1) + "</TLS>",
                "<TLS>" + suite + " ".repeat(XmlCodec.MAX_OFFER_BYTES) + "</TLS>",
                "<TLS xmlns=\"urn:x\">" + suite + "</TLS>",
                "<TLS>" + suite + "<MasterSecret>AAAA</MasterSecret></TLS>");
        long before = fixture.refusals(400, "invalid-suite-offer");

        for (String body : hostile) {
            Response refused = client.send(invite(client, target, body.getBytes(StandardCharsets.UTF_8)));
            assertEquals(400, refused.getStatusCode(), body);
            assertTrue(refused.getReasonPhrase().startsWith("Invalid suite offer: "), refused.getReasonPhrase());
        }

        assertEquals("Invalid suite offer: unknown cipher suite: TLS_MADE_UP", client.send(invite(client, target,
                hostile.get(0).getBytes(StandardCharsets.UTF_8))).getReasonPhrase());
        assertEquals(before + hostile.size() + 1, fixture.refusals(400, "invalid-suite-offer"));
        assertTrue(server.invites.isEmpty(), "the server agent was asked");
        assertEquals(Fixture.SUITE_256, suiteOf(client, client.invite(target)), "the agents still get SAs");
    }

    @Test
    void otherBodiesAreIgnoredAsBefore() throws Exception {
        fixture.serverAgent("sip:sdp-server@example.com", new HostPort("sdp.example.com", 443), Fixture.SUITE_256);
        TestAgent client = fixture.client("sip:sdp-client@example.com", Fixture.SUITE_256);
        Request invite = client.inviteRequest("sips:sdp-server@example.com");
        invite.setContent("v=0\r\n".getBytes(StandardCharsets.US_ASCII),
                client.endpoint.headerFactory().createContentTypeHeader("application", "sdp"));

        assertEquals(Fixture.SUITE_256, suiteOf(client, client.send(invite)));
    }

    private static Request invite(TestAgent client, String target, byte[] offer) throws Exception {
        Request invite = client.inviteRequest(target);
        invite.setContent(offer, client.endpoint.headerFactory().createContentTypeHeader(ContentTypes.TYPE,
                ContentTypes.SUITE_OFFER_SUBTYPE));
        return invite;
    }

    private static String suiteOf(TestAgent client, Response ok) throws Exception {
        assertEquals(200, ok.getStatusCode(), ok.getReasonPhrase());
        SecurityAssociation sa = client.association(ok);
        try {
            return sa.cipherSuite();
        } finally {
            sa.destroy();
        }
    }
}
