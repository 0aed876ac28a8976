package dev.siptls.agent;

import static dev.siptls.agent.TestAssociations.T0;
import static dev.siptls.agent.TestAssociations.sa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AssociationChecksTest {

    private static final Aor ALICE = Aor.parse("sip:alice@example.com");
    private static final Aor BOB = Aor.parse("sip:bob@example.com");
    private static final HostPort WWW = new HostPort("www.example.com", 8443);
    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void aClientAcceptsAnSaNamingItAndTheServerItAskedFor() {
        SecurityAssociation sa = sa("sip:alice@example.com", "sip:bob@example.com", WWW, T0, MINUTE);
        assertEquals(Optional.empty(), AssociationChecks.forClient(sa, ALICE, Target.parse("sip:bob@example.com"), T0));
        assertEquals(Optional.empty(), AssociationChecks.forClient(sa, ALICE, Target.parse("www.example.com:8443"), T0));
    }

    @Test
    void aClientRefusesAnSaForAnotherClient() {
        SecurityAssociation sa = sa("sip:mallory@example.com", "sip:bob@example.com", WWW, T0, MINUTE);
        assertTrue(AssociationChecks.forClient(sa, ALICE, Target.parse("sip:bob@example.com"), T0)
                .orElseThrow().contains("mallory"));
    }

    @Test
    void aClientRefusesAnSaForAnotherAddressThanItAskedFor() {
        SecurityAssociation sa = sa("sip:alice@example.com", "sip:bob@example.com",
                new HostPort("www.example.com", 443), T0, MINUTE);
        assertTrue(AssociationChecks.forClient(sa, ALICE, Target.parse("www.example.com:8443"), T0).isPresent());
    }

    @Test
    void aClientRefusesAnSaWithoutServerAddressWhenItAskedForOne() {
        SecurityAssociation sa = sa("sip:alice@example.com", "sip:bob@example.com", null, T0, MINUTE);
        assertTrue(AssociationChecks.forClient(sa, ALICE, Target.parse("www.example.com:8443"), T0).isPresent());
    }

    @Test
    void aClientRefusesAnSaForAnotherServerThanItAskedFor() {
        SecurityAssociation sa = sa("sip:alice@example.com", "sip:carol@example.com", WWW, T0, MINUTE);
        assertTrue(AssociationChecks.forClient(sa, ALICE, Target.parse("sip:bob@example.com"), T0).isPresent());
    }

    @Test
    void bothSidesRefuseAnExpiredSa() {
        SecurityAssociation sa = sa("sip:alice@example.com", "sip:bob@example.com", WWW, T0, MINUTE);
        assertTrue(AssociationChecks.forClient(sa, ALICE, Target.parse("sip:bob@example.com"), T0.plus(MINUTE))
                .isPresent());
        assertTrue(AssociationChecks.forServer(sa, BOB, T0.plus(MINUTE)).isPresent());
    }

    @Test
    void bothSidesAcceptAnSaCreatedWithinTheClockSkewAllowanceAhead() {
        SecurityAssociation sa = sa("sip:alice@example.com", "sip:bob@example.com", WWW, T0, MINUTE);
        Instant behind = T0.minus(SecurityAssociation.CLOCK_SKEW_ALLOWANCE);
        assertEquals(Optional.empty(), AssociationChecks.forClient(sa, ALICE, Target.parse("sip:bob@example.com"),
                behind));
        assertEquals(Optional.empty(), AssociationChecks.forServer(sa, BOB, behind));
    }

    @Test
    void bothSidesRefuseAnSaCreatedFurtherAheadOfTheirClock() {
        SecurityAssociation sa = sa("sip:alice@example.com", "sip:bob@example.com", WWW, T0, MINUTE);
        Instant behind = T0.minus(SecurityAssociation.CLOCK_SKEW_ALLOWANCE).minusSeconds(1);
        String refusal = AssociationChecks.forServer(sa, BOB, behind).orElseThrow();
        assertTrue(refusal.contains("clock"), refusal);
        assertTrue(AssociationChecks.forClient(sa, ALICE, Target.parse("sip:bob@example.com"), behind).isPresent());
    }

    @Test
    void bothSidesRefuseAnSaWithoutExtendedMasterSecret() {
        SecurityAssociation sa = TestAssociations.builder("sip:alice@example.com", "sip:bob@example.com", WWW, T0,
                MINUTE).extendedMasterSecret(false).build();
        assertTrue(AssociationChecks.forServer(sa, BOB, T0).isPresent());
        assertTrue(AssociationChecks.forClient(sa, ALICE, Target.parse("sip:bob@example.com"), T0).isPresent());
    }

    @Test
    void bothSidesAcceptATls13SaWhichHasNoExtendedMasterSecret() {
        SecurityAssociation sa = TestAssociations.tls13("sip:alice@example.com", "sip:bob@example.com", WWW, T0,
                MINUTE, "TLS_AES_256_GCM_SHA384");
        assertEquals(false, sa.extendedMasterSecret());
        assertEquals(Optional.empty(), AssociationChecks.forServer(sa, BOB, T0));
        assertEquals(Optional.empty(), AssociationChecks.forClient(sa, ALICE, Target.parse("www.example.com:8443"), T0));
    }

    @Test
    void aServerAcceptsOnlyAnSaNamingItAsServer() {
        SecurityAssociation sa = sa("sip:alice@example.com", "sip:bob@example.com", WWW, T0, MINUTE);
        assertEquals(Optional.empty(), AssociationChecks.forServer(sa, BOB, T0));
        assertTrue(AssociationChecks.forServer(sa, ALICE, T0).isPresent());
    }
}
