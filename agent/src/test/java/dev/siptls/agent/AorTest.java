package dev.siptls.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AorTest {

    @Test
    void comparesSchemeAlikeHostWithoutCaseAndUserExactly() {
        Aor alice = Aor.parse("sip:alice@example.com");
        assertTrue(alice.sameAs("sips:alice@EXAMPLE.com"));
        assertFalse(alice.sameAs("sip:Alice@example.com"));
        assertFalse(alice.sameAs("sip:alice@example.org"));
        assertFalse(alice.sameAs("not an aor"));
    }

    @Test
    void registersAtTheSecureUriOfItsDomain() {
        assertEquals("sips:example.com", Aor.parse("sip:alice@Example.com").registrarUri());
        assertEquals("sips:www.example.com", Aor.parse("sip:www.example.com").registrarUri());
    }

    @Test
    void isSignedInTheKeyServersCanonicalForm() {
        assertEquals("sip:Alice@example.com", Aor.parse("sips:Alice@EXAMPLE.com:5061").canonical());
        assertEquals("sip:www.example.com", Aor.parse("sip:www.example.com").canonical());
        assertEquals("sip:bob@[::1]", Aor.parse("sip:bob@[::1]:5061").canonical());
    }

    @Test
    void refusesWhatIsNotAPlainSipAor() {
        assertThrows(IllegalArgumentException.class, () -> Aor.parse("alice@example.com"));
        assertThrows(IllegalArgumentException.class, () -> Aor.parse("sip:@example.com"));
        assertThrows(IllegalArgumentException.class, () -> Aor.parse("sip:alice@example.com;x=1"));
        assertThrows(IllegalArgumentException.class, () -> Aor.parse("sip:alice@example.com\r\nVia: x"));
    }
}
