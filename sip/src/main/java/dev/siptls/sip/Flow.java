package dev.siptls.sip;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * One TLS connection a listening endpoint accepted, as the application sees it: whom it came from (the
 * remote address and the client certificate of its handshake), whether it is still open. A registration
 * holds the flow itself, not its address: a later connection from the same address is another flow.
 *
 * <p>{@link #sendOnly} pins the sends of a block to this connection: whatever the stack would write
 * elsewhere (another connection now cached under the same address, a new one it would open) fails instead.
 * That is how a security association reaches exactly the connection its holder registered on.
 */
public final class Flow {

    private static final ThreadLocal<Flow> PINNED = new ThreadLocal<>();

    private final TlsConnection socket;

    Flow(TlsConnection socket) {
        this.socket = socket;
    }

    /** The peer's address and port, as the connection has it. */
    public InetSocketAddress remote() {
        return socket.remote();
    }

    public boolean isOpen() {
        return socket.isOpenFlow();
    }

    /** The certificate the peer authenticated this connection with, if its handshake has completed with one. */
    public Optional<X509Certificate> peerCertificate() {
        return socket.peerCertificate();
    }

    /**
     * The SHA-256 of {@link #peerCertificate}, taken once per connection (a copy), or empty without one.
     */
    public Optional<byte[]> peerFingerprint() {
        byte[] f = socket.peerFingerprint();
        return f == null ? Optional.empty() : Optional.of(f.clone());
    }

    /** Whether this connection was authenticated with the certificate whose SHA-256 is {@code fingerprint}. */
    public boolean authenticatedAs(byte[] fingerprint) {
        byte[] own = socket.peerFingerprint();
        return fingerprint != null && own != null && MessageDigest.isEqual(own, fingerprint);
    }

    /**
     * A registration was made on this connection: from now on it may send messages up to the endpoint's size
     * limit. Until then only a short unfinished message may wait on it ({@link TlsConnection#UNREGISTERED_PARTIAL}).
     */
    public void registered() {
        socket.registered();
    }

    /** Closes the connection at once (no TLS close_notify: the peer may not be reading). */
    public void close() {
        socket.abort();
    }

    /**
     * Runs {@code send} with every write of this thread pinned to this connection: a write that the stack
     * directs to any other connection, or this one once closed, fails with an {@code IOException}.
     */
    public <T> T sendOnly(Callable<T> send) throws Exception {
        if (!isOpen()) {
            throw new IOException("connection " + this + " is closed");
        }
        Flow outer = PINNED.get();
        PINNED.set(this);
        try {
            return send.call();
        } finally {
            if (outer == null) {
                PINNED.remove();
            } else {
                PINNED.set(outer);
            }
        }
    }

    /** Throws unless the current thread may write to {@code target}. */
    static void checkPinned(AcceptedSocket target) throws IOException {
        Flow pinned = PINNED.get();
        if (pinned != null && pinned.socket != target) {
            throw new IOException("refusing to write to " + (target == null ? "a new connection" : target.remote())
                    + ": this send is bound to " + pinned);
        }
    }

    /** SHA-256 of a certificate's encoding. */
    public static byte[] fingerprint(X509Certificate certificate) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint certificate", e);
        }
    }

    /** The same connection, whichever lookup produced the handle. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Flow f && f.socket == socket;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(socket);
    }

    @Override
    public String toString() {
        InetSocketAddress r = remote();
        return "tls:" + r.getAddress().getHostAddress() + ":" + r.getPort() + (isOpen() ? "" : " (closed)");
    }
}
