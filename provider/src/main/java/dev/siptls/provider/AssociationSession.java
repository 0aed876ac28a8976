package dev.siptls.provider;

/**
 * What one handshake gets from a security association: a resumable TLS 1.2 session for BCJSSE, or a TLS 1.3
 * external PSK for the PSK engine. Either is fresh, owned by that one handshake.
 */
sealed interface AssociationSession permits ResumableSession, PskAssociation {

    /** The SA's session id in hex: what the session carries as its association value, and a log handle. */
    String associationId();
}
