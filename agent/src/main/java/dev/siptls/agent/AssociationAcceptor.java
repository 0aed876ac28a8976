package dev.siptls.agent;

import dev.siptls.protocol.SecurityAssociation;
import java.util.Optional;

/**
 * The application's say on an SA the key server offers this agent as TLS server, for instance whether it
 * trusts the client's certificate chain. Called on the SIP thread that read the offer, for several agents at
 * once: answer from memory, never block, be thread-safe.
 */
@FunctionalInterface
public interface AssociationAcceptor {

    /** Accepts everything. */
    AssociationAcceptor ACCEPT_ALL = sa -> Optional.empty();

    /**
     * Empty to accept the SA offered to this agent as a TLS server, else a reason to refuse (sent back as
     * 488); the reason travels to the client, so it names no secret.
     */
    Optional<String> refusal(SecurityAssociation sa);
}
