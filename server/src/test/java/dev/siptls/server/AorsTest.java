package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AorsTest {

    @Test
    void foldsSipsIntoSipAndLowerCasesTheHostOnly() {
        assertEquals("sip:Alice@example.com", Aors.canonical("sips:Alice@EXAMPLE.com"));
    }

    @Test
    void dropsPortAndParameters() {
        assertEquals("sip:bob@example.com", Aors.canonical("<sip:bob@example.com:5061;transport=tls>"));
    }

    @Test
    void keepsAnAorWithoutUserPart() {
        assertEquals("sip:www.example.com", Aors.canonical("sips:www.example.com"));
    }

    @Test
    void refusesWhatIsNotASipUri() {
        assertNull(Aors.canonical("tel:+1234"));
        assertNull(Aors.canonical("sip:@example.com"));
        assertNull(Aors.canonical(null));
    }

    @Test
    void sameDomainComparesTheHostParts() {
        AuthorizationRule rule = AuthorizationRule.sameDomain();

        assertTrue(rule.permits("sip:alice@example.com", "sips:bob@EXAMPLE.com"));
        assertFalse(rule.permits("sip:alice@example.com", "sip:bob@example.net"));
        assertFalse(rule.permits("sip:alice@example.com", "sip:bob@sub.example.com"));
    }
}
