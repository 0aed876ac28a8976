package dev.siptls.provider;

import javax.net.ssl.SSLHandshakeException;

/**
 * A handshake SIP-TLS refused under {@code fallback=fail}: no security association could be used.
 *
 * <p>BCJSSE turns exceptions from trust and key managers into {@code TlsFatalAlert}s that hide the reason,
 * but lets an {@code IOException} thrown from inside a handshake through unchanged (sockets) or wrapped in
 * an {@code SSLException} (engines, which {@link SipTlsEngine} unwraps). So this is thrown as is, past the
 * checked-exception signatures of the JSSE callbacks ({@link #raise}), and the application gets an
 * {@code SSLHandshakeException} whose message says why.
 */
final class RefusedHandshakeException extends SSLHandshakeException {

    private static final long serialVersionUID = 1L;

    RefusedHandshakeException(String reason) {
        super(reason);
    }

    /** Throws this from a callback whose signature does not declare it; never returns. */
    RuntimeException raise() {
        throw RefusedHandshakeException.<RuntimeException>sneaky(this);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
