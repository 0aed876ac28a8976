package dev.siptls.agent;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.time.Instant;
import java.util.Optional;

/**
 * What an agent checks on an SA before it stores it, beyond what the codec already checked: that it is
 * meant for this agent, in the role it plays, for the server it asked for, and still usable. A key server
 * that mixed up two requests, or anyone who could inject into the SIP connection, is stopped here. Each
 * check answers with the reason to refuse, which names no secret. The secret's length, the suite's fit with the
 * protocol version and a TLS 1.3 SA's PSK length ({@code CipherSuites.hashLength}) are the SA's own invariants,
 * refused when the body is decoded.
 */
final class AssociationChecks {

    private AssociationChecks() {
    }

    /** For an SA received in the 200 OK to this agent's INVITE for {@code target}. */
    static Optional<String> forClient(SecurityAssociation sa, Aor self, Target target, Instant now) {
        if (!self.sameAs(sa.client().identity())) {
            return Optional.of("SA names client " + sa.client().identity() + ", not " + self);
        }
        Optional<HostPort> wanted = target.address();
        if (wanted.isPresent() && !wanted.equals(sa.server().address())) {
            return Optional.of("SA is for server " + sa.server().address().map(HostPort::toString).orElse("(none)")
                    + ", not " + wanted.get());
        }
        Optional<Aor> wantedAor = target.aor();
        if (wantedAor.isPresent() && !wantedAor.get().sameAs(sa.server().identity())) {
            return Optional.of("SA names server " + sa.server().identity() + ", not " + wantedAor.get());
        }
        return usable(sa, now);
    }

    /** For an SA offered in an INVITE from the key server to this agent as TLS server. */
    static Optional<String> forServer(SecurityAssociation sa, Aor self, Instant now) {
        if (!self.sameAs(sa.server().identity())) {
            return Optional.of("SA names server " + sa.server().identity() + ", not " + self);
        }
        return usable(sa, now);
    }

    private static Optional<String> usable(SecurityAssociation sa, Instant now) {
        if (sa.isExpired(now)) {
            return Optional.of("SA " + sa.sessionIdHex() + " expired at " + sa.expiryTime());
        }
        if (sa.creationTime().isAfter(now.plus(SecurityAssociation.CLOCK_SKEW_ALLOWANCE))) {
            // it would outlive its lifetime here by as much as the clocks differ
            return Optional.of("SA " + sa.sessionIdHex() + " created at " + sa.creationTime() + ", more than "
                    + SecurityAssociation.CLOCK_SKEW_ALLOWANCE.toSeconds() + " s ahead of this host's clock ("
                    + now + "): the key server's clock and this host's differ");
        }
        if (!sa.isTls13() && !sa.extendedMasterSecret()) {
            // TLS 1.2 only: OpenSSL will not resume without it, and TLS 1.3 has no such extension
            return Optional.of("SA without extended master secret");
        }
        return Optional.empty();
    }
}
