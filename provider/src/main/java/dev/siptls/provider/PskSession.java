package dev.siptls.provider;

import java.security.Principal;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSessionBindingEvent;
import javax.net.ssl.SSLSessionBindingListener;
import javax.net.ssl.SSLSessionContext;

/**
 * The session of a TLS 1.3 external-PSK connection: protocol, suite and the chains the PSK's association carries
 * (no certificate travels with a PSK). TLS 1.3 has no session id, so the id is fresh random bytes, or, for a SIP-TLS
 * SA, the SA's session id ({@link #associate}), as on TLS 1.2 SA sessions; nothing can resume this session, hence no
 * session context.
 *
 * <p>A client whose server declined the PSK completes a full handshake instead ({@link #full}), TLS 1.3 or, with a
 * server that speaks only TLS 1.2, TLS 1.2: that session holds the certificates the handshake exchanged, set as they
 * become known, and is no SA's.
 */
final class PskSession extends ExtendedSSLSession {

    /** TLS 1.3's largest ciphertext record, twice the overhead for a KeyUpdate beside it (as BCJSSE reckons). */
    static final int PACKET_BUFFER_SIZE = (1 << 14) + 5 + (5 + 256) * 2;
    static final int APPLICATION_BUFFER_SIZE = 1 << 14;

    private volatile byte[] id;
    /** The SA's id in hex, the {@value SipTlsProvider#SESSION_VALUE_ASSOCIATION} value (not a value name), or null. */
    private volatile String association;
    private volatile Runnable invalidated = () -> { };
    private final String protocol;
    private final String cipherSuite;
    private volatile List<X509Certificate> peerChain;
    private volatile List<X509Certificate> localChain;
    private volatile String[] localSignatureAlgorithms = new String[0];
    private volatile String[] peerSignatureAlgorithms = new String[0];
    private final String peerHost;
    private final int peerPort;
    private final long creationTime;
    private final Map<String, Object> values = new ConcurrentHashMap<>();
    private volatile List<SNIServerName> requestedServerNames = List.of();
    private volatile long lastAccessedTime;
    private volatile boolean valid;

    private PskSession(byte[] id, String protocol, String cipherSuite, List<X509Certificate> peerChain,
            List<X509Certificate> localChain, String peerHost, int peerPort, long creationTime, boolean valid) {
        this.id = id;
        this.protocol = protocol;
        this.cipherSuite = cipherSuite;
        this.peerChain = peerChain;
        this.localChain = localChain;
        this.peerHost = peerHost;
        this.peerPort = peerPort;
        this.creationTime = creationTime;
        this.lastAccessedTime = creationTime;
        this.valid = valid;
    }

    /** The session of a connection with {@code psk}, valid from the start (the engine hands it out when done). */
    static PskSession of(ExternalPsk psk, String peerHost, int peerPort, SecureRandom random) {
        byte[] id = new byte[32];
        random.nextBytes(id);
        return new PskSession(id, "TLSv1.3", psk.suiteName(), psk.peerChain(), psk.localChain(), peerHost, peerPort,
                psk.creationTime(), true);
    }

    /**
     * The session of a full handshake with {@code protocol} and {@code suite} (the server declined the PSK, or spoke
     * only TLS 1.2), begun now: the server's session id if it gave one (TLS 1.2), else a fresh random one; no
     * certificates until {@link #peerCertificates} and {@link #localCertificates} set them.
     */
    static PskSession full(String protocol, String suite, byte[] serverSessionId, String peerHost, int peerPort,
            SecureRandom random) {
        byte[] id = serverSessionId;
        if (id == null || id.length == 0) {
            id = new byte[32];
            random.nextBytes(id);
        }
        return new PskSession(id.clone(), protocol, suite, List.of(), List.of(), peerHost, peerPort,
                System.currentTimeMillis(), true);
    }

    /** What JSSE engines answer before a handshake completes. */
    static PskSession none(String peerHost, int peerPort) {
        return new PskSession(new byte[0], "NONE", "SSL_NULL_WITH_NULL_NULL", List.of(), List.of(), peerHost,
                peerPort, System.currentTimeMillis(), false);
    }

    /**
     * Makes this the session of the SA with this id (hex): its id, its association value, and what invalidating it
     * does ({@code invalidated}: the SA is forgotten, as for a TLS 1.2 SA's session).
     */
    void associate(String associationId, Runnable invalidated) {
        this.id = java.util.HexFormat.of().parseHex(associationId);
        this.association = associationId;
        this.invalidated = invalidated;
    }

    /** A full handshake's server chain, set before the trust manager sees it (it reads the handshake session). */
    void peerCertificates(List<X509Certificate> chain) {
        this.peerChain = List.copyOf(chain);
    }

    /** A full handshake's own chain, if it sent one. */
    void localCertificates(List<X509Certificate> chain) {
        this.localChain = List.copyOf(chain);
    }

    /**
     * A full handshake's signature algorithms (JCA names, as SunJSSE gives them): the ones this side offered, and the
     * ones the peer asked for, which JSSE trust and key managers turn into algorithm constraints.
     */
    void signatureAlgorithms(String[] local, String[] peer) {
        if (local != null) {
            this.localSignatureAlgorithms = local.clone();
        }
        if (peer != null) {
            this.peerSignatureAlgorithms = peer.clone();
        }
    }

    void setRequestedServerNames(List<SNIServerName> names) {
        this.requestedServerNames = List.copyOf(names);
    }

    void accessed(long when) {
        this.lastAccessedTime = when;
    }

    @Override
    public byte[] getId() {
        return id.clone();
    }

    @Override
    public SSLSessionContext getSessionContext() {
        return null;
    }

    @Override
    public long getCreationTime() {
        return creationTime;
    }

    @Override
    public long getLastAccessedTime() {
        return lastAccessedTime;
    }

    @Override
    public void invalidate() {
        if (valid) {
            valid = false;
            invalidated.run();
        }
    }

    @Override
    public boolean isValid() {
        return valid;
    }

    @Override
    public void putValue(String name, Object value) {
        if (name == null || value == null) {
            throw new IllegalArgumentException("name and value must not be null");
        }
        Object old = values.put(name, value);
        if (old != value) {
            unbound(name, old);
            if (value instanceof SSLSessionBindingListener listener) {
                listener.valueBound(new SSLSessionBindingEvent(this, name));
            }
        }
    }

    @Override
    public Object getValue(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        if (SipTlsProvider.SESSION_VALUE_ASSOCIATION.equals(name) && association != null) {
            return association;
        }
        return values.get(name);
    }

    @Override
    public void removeValue(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name must not be null");
        }
        unbound(name, values.remove(name));
    }

    private void unbound(String name, Object old) {
        if (old instanceof SSLSessionBindingListener listener) {
            listener.valueUnbound(new SSLSessionBindingEvent(this, name));
        }
    }

    @Override
    public String[] getValueNames() {
        return values.keySet().toArray(new String[0]);
    }

    @Override
    public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
        List<X509Certificate> chain = peerChain;
        if (chain.isEmpty()) {
            throw new SSLPeerUnverifiedException("peer not authenticated");
        }
        return chain.toArray(new X509Certificate[0]);
    }

    @Override
    public Certificate[] getLocalCertificates() {
        List<X509Certificate> chain = localChain;
        return chain.isEmpty() ? null : chain.toArray(new X509Certificate[0]);
    }

    @Override
    @SuppressWarnings("removal")
    public javax.security.cert.X509Certificate[] getPeerCertificateChain() {
        // As SunJSSE since JDK 15: the javax.security.cert API is gone from TLS sessions.
        throw new UnsupportedOperationException("use getPeerCertificates()");
    }

    @Override
    public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
        List<X509Certificate> chain = peerChain;
        if (chain.isEmpty()) {
            throw new SSLPeerUnverifiedException("peer not authenticated");
        }
        return chain.get(0).getSubjectX500Principal();
    }

    @Override
    public Principal getLocalPrincipal() {
        List<X509Certificate> chain = localChain;
        return chain.isEmpty() ? null : chain.get(0).getSubjectX500Principal();
    }

    @Override
    public String getCipherSuite() {
        return cipherSuite;
    }

    @Override
    public String getProtocol() {
        return protocol;
    }

    @Override
    public String getPeerHost() {
        return peerHost;
    }

    @Override
    public int getPeerPort() {
        return peerPort;
    }

    @Override
    public int getPacketBufferSize() {
        return PACKET_BUFFER_SIZE;
    }

    @Override
    public int getApplicationBufferSize() {
        return APPLICATION_BUFFER_SIZE;
    }

    @Override
    public String[] getLocalSupportedSignatureAlgorithms() {
        return localSignatureAlgorithms.clone();
    }

    @Override
    public String[] getPeerSupportedSignatureAlgorithms() {
        return peerSignatureAlgorithms.clone();
    }

    @Override
    public List<SNIServerName> getRequestedServerNames() {
        return requestedServerNames;
    }

    @Override
    public List<byte[]> getStatusResponses() {
        return List.of();
    }

    @Override
    public String toString() {
        return "PskSession[" + protocol + ", " + cipherSuite + "]";
    }
}
