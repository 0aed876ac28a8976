package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServingRuleTest {

    private final ServingRule sameDomain = ServingRule.sameDomain();

    @Test
    void sameDomainAllowsTheAorsDomainAndNamesUnderIt() {
        assertTrue(sameDomain.permits("sip:bob@example.com", "example.com", null));
        assertTrue(sameDomain.permits("sip:bob@example.com", "www.example.com", null));
        assertFalse(sameDomain.permits("sip:bob@example.com", "example.net", null));
        assertFalse(sameDomain.permits("sip:bob@example.com", "badexample.com", null));
    }

    @Test
    void sameDomainMatchesAnIpv6LiteralWrittenWithoutBrackets() {
        assertTrue(sameDomain.permits("sip:bob@[::1]", "::1", null));
        assertFalse(sameDomain.permits("sip:bob@[::1]", "::2", null));
    }
}
