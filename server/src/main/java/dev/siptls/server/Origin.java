package dev.siptls.server;

import dev.siptls.sip.Flow;
import dev.siptls.sip.SipEndpoint;
import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.ServerTransactionExt;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;

/**
 * Where a request really came from: the transport of the connection (not what its Via claims), the
 * connection's remote address, the client certificate of that TLS connection, and the connection itself.
 *
 * @param certificate null unless the request came over TLS with a client certificate
 * @param fingerprint SHA-256 of the certificate's encoding, null with it
 * @param flow the open TLS connection the request arrived on; null if not TLS, without a certificate, or
 *     already closed
 */
record Origin(boolean tls, InetSocketAddress remote, X509Certificate certificate, byte[] fingerprint, Flow flow) {

    static Origin of(RequestEvent event, ServerTransaction transaction, SipEndpoint endpoint) {
        RequestEventExt ext = (RequestEventExt) event;
        InetSocketAddress remote = new InetSocketAddress(ext.getRemoteIpAddress(), ext.getRemotePort());
        if (transaction == null) {
            return new Origin(false, remote, null, null, null);
        }
        boolean tls = "TLS".equalsIgnoreCase(((ServerTransactionExt) transaction).getTransport());
        // The connection's own handshake vouches for the certificate, not a lookup through the transaction.
        Flow flow = tls && endpoint != null ? endpoint.flow(remote).orElse(null) : null;
        X509Certificate certificate = flow == null ? null : flow.peerCertificate().orElse(null);
        if (certificate == null) {
            flow = null;
        }
        return new Origin(tls, remote, certificate, flow == null ? null : flow.peerFingerprint().orElse(null), flow);
    }

    @Override
    public String toString() {
        return (tls ? "tls:" : "tcp:") + remote.getAddress().getHostAddress() + ":" + remote.getPort();
    }
}
