package dev.siptls.provider;

import java.util.Optional;

/**
 * An {@link AssociationSource} that can say why its last client lookup on the calling thread found nothing
 * (key server unavailable, request timed out or refused...), so that fallbacks are counted by their real
 * reason. Lookups run on the handshake's thread, so a thread-local answer is exact.
 */
interface ExplainsMisses {

    /** Why the last {@code forPeer} on this thread returned empty; empty if it did not, or cannot say. */
    Optional<HandshakeLedger.Miss> lastMiss();
}
