package dev.siptls.provider;

import javax.net.ssl.SSLHandshakeException;

/** A client's PSK handshake failed because the server would not use the PSK: for SIP-TLS, a declined SA. */
final class PskDeclinedException extends SSLHandshakeException {

    private static final long serialVersionUID = 1L;

    PskDeclinedException(String reason) {
        super(reason);
    }
}
