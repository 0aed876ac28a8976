package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ExpiryTest {

    @Test
    void aRegistrationNotRefreshedExpires() throws Exception {
        try (Fixture fixture = new Fixture(b -> b.minExpires(Duration.ofSeconds(1))
                .sweepInterval(Duration.ofMillis(100)))) {
            TestAgent jane = fixture.agent("sip:jane@example.com");
            TestAgent client = fixture.client("sip:kim@example.com");
            assertEquals(200, jane.register(1).getStatusCode());
            assertEquals(200, jane.publish(fixture.clientPolicy()).getStatusCode());

            Polling.until(() -> fixture.server.statistics().getCurrentRegistrations() == 1);

            assertEquals(480, client.invite("sips:jane@example.com").getStatusCode());
            assertEquals(403, jane.publish(fixture.clientPolicy()).getStatusCode());
        }
    }
}
