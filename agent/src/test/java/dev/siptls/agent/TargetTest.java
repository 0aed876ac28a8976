package dev.siptls.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TargetTest {

    @Test
    void anAorTargetBecomesASipsRequestUriWithItsUser() {
        Target t = Target.parse("sip:bob@example.com");
        assertEquals("sips:bob@example.com", t.requestUri());
        assertTrue(t.aor().isPresent());
        assertEquals(Optional.empty(), t.address());
    }

    @Test
    void aHostPortTargetBecomesASipsRequestUriWithoutUserPart() {
        Target t = Target.parse("www.example.com:8443");
        assertEquals("sips:www.example.com:8443", t.requestUri());
        assertEquals(Optional.of(new HostPort("www.example.com", 8443)), t.address());
        assertEquals(Optional.empty(), t.aor());
    }

    @Test
    void anIpv6HostPortKeepsItsBrackets() {
        assertEquals("sips:[::1]:8443", Target.parse("[::1]:8443").requestUri());
    }

    @Test
    void aUriWithoutUserButWithPortNamesABinding() {
        Target t = Target.parse("sips:www.example.com:8443");
        assertEquals(Optional.of(new HostPort("www.example.com", 8443)), t.address());
    }

    @Test
    void anAorWithoutUserPartStaysAnAor() {
        Target t = Target.parse("sip:www.example.com");
        assertEquals("sips:www.example.com", t.requestUri());
        assertTrue(t.aor().isPresent());
    }

    @Test
    void refusesTargetsThatAreNeitherAorNorHostPort() {
        assertThrows(IllegalArgumentException.class, () -> Target.parse("www.example.com"));
        assertThrows(IllegalArgumentException.class, () -> Target.parse("mailto:bob@example.com"));
        assertThrows(IllegalArgumentException.class, () -> Target.parse("sip:bob@example.com;transport=udp"));
        assertThrows(IllegalArgumentException.class, () -> Target.parse("host:99999"));
    }
}
