package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import org.junit.jupiter.api.Test;

class StatisticsTest {

    @Test
    void countsRegistrationsPoliciesAssociationsAndRefusals() throws Exception {
        try (Fixture fixture = new Fixture()) {
            TestAgent server = fixture.serverAgent("sip:st-server@example.com", new HostPort("st.example.com", 443));
            TestAgent client = fixture.client("sip:st-client@example.com");
            assertEquals(200, server.register(600).getStatusCode());
            assertEquals(200, client.invite("sips:st-server@example.com").getStatusCode());
            assertEquals(404, client.invite("sips:nobody@example.com").getStatusCode());

            KeyServerStatistics stats = fixture.server.statistics();

            assertEquals(2, stats.getCurrentRegistrations());
            assertEquals(2, stats.getTotalRegistrations());
            assertEquals(1, stats.getRefreshedRegistrations());
            assertEquals(2, stats.getCurrentPolicies());
            assertEquals(2, stats.getTotalPolicies());
            assertEquals(1, stats.getSecurityAssociationsIssued());
            assertEquals(1, stats.getRelaysAnswered());
            assertTrue(stats.getRelayLatencyMaxMicros() >= stats.getRelayLatencyMeanMicros());
            assertEquals(1L, stats.getRefusals().get("404 unknown-target"));
            assertEquals(1, stats.getTotalRefusals());
        }
    }

    @Test
    void timesEveryAnsweredInviteAcceptedOrRefused() throws Exception {
        try (Fixture fixture = new Fixture()) {
            fixture.serverAgent("sip:lat-server@example.com", new HostPort("lat.example.com", 443));
            TestAgent client = fixture.client("sip:lat-client@example.com");
            assertEquals(0, fixture.server.statistics().getInviteAnswers());

            assertEquals(200, client.invite("sips:lat-server@example.com").getStatusCode());
            assertEquals(200, client.invite("sips:lat-server@example.com").getStatusCode());
            assertEquals(404, client.invite("sips:nobody@example.com").getStatusCode());

            KeyServerStatistics stats = fixture.server.statistics();
            // an answer is timed once it has been sent, so the client may see it a moment before it is counted
            Polling.until(() -> stats.getInviteAnswers() >= 3);
            assertEquals(3, stats.getInviteAnswers());
            assertTrue(stats.getInviteAnswerLatencyP50Micros() > 0, "p50 " + stats.getInviteAnswerLatencyP50Micros());
            assertTrue(stats.getInviteAnswerLatencyP50Micros() <= stats.getInviteAnswerLatencyP99Micros());
            assertTrue(stats.getInviteAnswerLatencyP99Micros() <= stats.getInviteAnswerLatencyMaxMicros());
        }
    }
}
