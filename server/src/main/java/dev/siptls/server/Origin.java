package dev.siptls.server;

import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.ServerTransactionExt;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;

/**
 * Where a request really came from: the transport of the connection (not what its Via claims), the
 * connection's remote address (the flow), and the client certificate of that TLS connection.
 *
 * @param certificate null unless the request came over TLS with a client certificate
 * @param fingerprint SHA-256 of the certificate's encoding, null with it
 */
record Origin(boolean tls, InetSocketAddress flow, X509Certificate certificate, byte[] fingerprint) {

    static Origin of(RequestEvent event, ServerTransaction transaction) {
        RequestEventExt ext = (RequestEventExt) event;
        InetSocketAddress flow = new InetSocketAddress(ext.getRemoteIpAddress(), ext.getRemotePort());
        if (transaction == null) {
            return new Origin(false, flow, null, null);
        }
        ServerTransactionExt tx = (ServerTransactionExt) transaction;
        boolean tls = "TLS".equalsIgnoreCase(tx.getTransport());
        X509Certificate certificate = null;
        if (tls) {
            try {
                Certificate[] peer = tx.getPeerCertificates();
                if (peer != null && peer.length > 0 && peer[0] instanceof X509Certificate x) {
                    certificate = x;
                }
            } catch (SSLPeerUnverifiedException | UnsupportedOperationException e) {
                certificate = null;
            }
        }
        return new Origin(tls, flow, certificate, certificate == null ? null : fingerprint(certificate));
    }

    static byte[] fingerprint(X509Certificate certificate) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint certificate", e);
        }
    }

    @Override
    public String toString() {
        return (tls ? "tls:" : "tcp:") + flow.getAddress().getHostAddress() + ":" + flow.getPort();
    }
}
