package dev.siptls.server;

import dev.siptls.protocol.CipherSuites;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityPolicy;
import java.io.ByteArrayInputStream;
import java.lang.ref.WeakReference;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An accepted policy as the key server keeps it: suites as shared constant strings, the certificate chain
 * as DER bytes. A parsed {@code X509Certificate} costs several KiB of heap, its encoding about one; with
 * 100,000 registrations that difference is the heap. The chain is parsed again only to build an SA.
 */
final class StoredPolicy {

    private static final List<String> KNOWN = List.copyOf(CipherSuites.names());

    /** The version lists policies have, shared: a policy's list is one of these (order does not matter here). */
    private static final List<List<String>> VERSION_LISTS = List.of(List.of(CipherSuites.TLS_1_2),
            List.of(CipherSuites.TLS_1_3, CipherSuites.TLS_1_2), List.of(CipherSuites.TLS_1_3),
            List.of(CipherSuites.TLS_1_2, CipherSuites.TLS_1_3));

    private final List<String> versions;
    private final String[] suites;
    private final long maxLifetimeSeconds;
    private final HostPort[] bindings;
    private final byte[][] chain;
    private volatile WeakReference<List<X509Certificate>> parsed;

    private StoredPolicy(List<String> versions, String[] suites, long maxLifetimeSeconds, HostPort[] bindings,
            byte[][] chain) {
        this.versions = versions;
        this.suites = suites;
        this.maxLifetimeSeconds = maxLifetimeSeconds;
        this.bindings = bindings;
        this.chain = chain;
    }

    static StoredPolicy of(SecurityPolicy policy) {
        String[] suites = policy.cipherSuites().stream().map(StoredPolicy::shared).toArray(String[]::new);
        long max = policy.maxLifetime().map(Duration::getSeconds).orElse(0L);
        HostPort[] bindings = policy.bindings().toArray(new HostPort[0]);
        byte[][] chain = new byte[policy.certificateChain().size()][];
        for (int i = 0; i < chain.length; i++) {
            try {
                chain[i] = policy.certificateChain().get(i).getEncoded();
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("certificate cannot be encoded", e);
            }
        }
        List<String> versions = VERSION_LISTS.get(VERSION_LISTS.indexOf(policy.protocolVersions()));
        return new StoredPolicy(versions, suites, max, bindings, chain);
    }

    /** The policy as bytes, for the other nodes of a cluster ({@link #decode}): versions, suites, lifetime, bindings, chain. */
    byte[] encode() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(128 + chainLength());
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeByte(VERSION_LISTS.indexOf(versions));
            out.writeShort(suites.length);
            for (String suite : suites) {
                out.writeUTF(suite);
            }
            out.writeLong(maxLifetimeSeconds);
            out.writeShort(bindings.length);
            for (HostPort b : bindings) {
                out.writeUTF(b.host());
                out.writeShort(b.port());
            }
            out.writeShort(chain.length);
            for (byte[] der : chain) {
                out.writeInt(der.length);
                out.write(der);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException if {@code bytes} is not what {@link #encode} wrote */
    static StoredPolicy decode(byte[] bytes) {
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            List<String> versions = VERSION_LISTS.get(in.readUnsignedByte());
            String[] suites = new String[in.readUnsignedShort()];
            for (int i = 0; i < suites.length; i++) {
                suites[i] = shared(in.readUTF());
            }
            long max = in.readLong();
            HostPort[] bindings = new HostPort[in.readUnsignedShort()];
            for (int i = 0; i < bindings.length; i++) {
                bindings[i] = new HostPort(in.readUTF(), in.readUnsignedShort());
            }
            byte[][] chain = new byte[in.readUnsignedShort()][];
            for (int i = 0; i < chain.length; i++) {
                int n = in.readInt();
                if (n < 0 || n > 1 << 20) {
                    throw new IllegalArgumentException("certificate of " + n + " bytes");
                }
                chain[i] = new byte[n];
                in.readFully(chain[i]);
            }
            return new StoredPolicy(versions, suites, max, bindings, chain);
        } catch (java.io.IOException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not an encoded policy", e);
        }
    }

    private int chainLength() {
        int n = 0;
        for (byte[] der : chain) {
            n += der.length + 4;
        }
        return n;
    }

    /** The constant instance of a known suite name, so 100,000 policies share a handful of strings. */
    private static String shared(String suite) {
        int i = KNOWN.indexOf(suite);
        return i >= 0 ? KNOWN.get(i) : suite;
    }

    /** Whether the peer accepts SAs of this protocol version ({@code "TLSv1.2"} only, for a policy naming none). */
    boolean accepts(String version) {
        return versions.contains(version);
    }

    /** Most preferred first. */
    List<String> cipherSuites() {
        return List.of(suites);
    }

    Optional<Duration> maxLifetime() {
        return maxLifetimeSeconds == 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(maxLifetimeSeconds));
    }

    List<HostPort> bindings() {
        return List.of(bindings);
    }

    /**
     * The chain parsed again, leaf first. The parsed chain is kept only weakly: a busy agent's SAs share it until
     * the next collection, and an idle registration keeps only the DER bytes.
     */
    List<X509Certificate> certificateChain() {
        if (chain.length == 0) {
            return List.of();
        }
        WeakReference<List<X509Certificate>> ref = parsed;
        List<X509Certificate> kept = ref == null ? null : ref.get();
        if (kept != null) {
            return kept;
        }
        List<X509Certificate> fresh = parse();
        parsed = new WeakReference<>(fresh);
        return fresh;
    }

    private List<X509Certificate> parse() {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>(chain.length);
            for (byte[] der : chain) {
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
            return List.copyOf(out);
        } catch (CertificateException e) {
            throw new IllegalStateException("stored certificate no longer parses", e);
        }
    }

    @Override
    public String toString() {
        return "StoredPolicy[versions=" + versions + ", suites=" + suites.length + ", bindings=" + List.of(bindings)
                + ", certificates=" + chain.length + "]";
    }
}
