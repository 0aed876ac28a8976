package dev.siptls.protocol;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One side of a security association: the random it uses in the resumed handshake, who it is, and
 * (for the server side) where it serves. The certificate chain is what the other side checks with its
 * own trust manager when it accepts the SA, since a resumed handshake exchanges no certificates.
 *
 * <p>Immutable, with value equality; the random is not secret (it travels in the hellos).
 */
public final class PeerInfo {

    /** Length of a TLS 1.2 hello random. */
    static final int RANDOM_LENGTH = 32;

    private final byte[] random;
    private final String identity;
    private final HostPort address;
    private final List<X509Certificate> certificateChain;

    private PeerInfo(Builder b) {
        this.random = Checks.copyOfLength(b.random, RANDOM_LENGTH, "random");
        this.identity = checkIdentity(b.identity);
        this.address = b.address;
        this.certificateChain = Checks.chain(b.certificateChain);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The 32-byte random, a fresh copy. */
    public byte[] random() {
        return random.clone();
    }

    /** The address of record, e.g. {@code sip:alice@example.com}. */
    public String identity() {
        return identity;
    }

    /** The {@code host:port} the server side serves; empty for a client. */
    public Optional<HostPort> address() {
        return Optional.ofNullable(address);
    }

    /** Leaf first; may be empty. */
    public List<X509Certificate> certificateChain() {
        return certificateChain;
    }

    private static String checkIdentity(String identity) {
        Objects.requireNonNull(identity, "identity is required");
        String lower = identity.toLowerCase(Locale.ROOT);
        int start = lower.startsWith("sip:") ? 4 : lower.startsWith("sips:") ? 5 : -1;
        if (start < 0 || identity.length() == start) {
            throw new IllegalArgumentException("identity must be a sip: or sips: URI, got " + Texts.quote(identity));
        }
        for (int i = 0; i < identity.length(); i++) {
            char c = identity.charAt(i);
            if (c <= ' ' || c == 0x7F || c == '<' || c == '>' || c == '"') {
                throw new IllegalArgumentException("illegal character in identity " + Texts.quote(identity));
            }
        }
        return identity;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerInfo p
                && Arrays.equals(random, p.random)
                && identity.equals(p.identity)
                && Objects.equals(address, p.address)
                && certificateChain.equals(p.certificateChain);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(random), identity, address, certificateChain);
    }

    @Override
    public String toString() {
        return "PeerInfo[" + identity + (address == null ? "" : " at " + address)
                + ", certificates=" + certificateChain.size() + "]";
    }

    /** Collects the parts of a peer; {@link #build()} validates them. */
    public static final class Builder {
        private byte[] random;
        private String identity;
        private HostPort address;
        private List<X509Certificate> certificateChain = List.of();

        private Builder() {
        }

        /** The 32-byte hello random; copied. */
        public Builder random(byte[] random) {
            this.random = Objects.requireNonNull(random, "random").clone();
            return this;
        }

        /** The address of record, {@code sip:} or {@code sips:}. */
        public Builder identity(String identity) {
            this.identity = identity;
            return this;
        }

        public Builder address(HostPort address) {
            this.address = address;
            return this;
        }

        /** Leaf first. */
        public Builder certificateChain(List<X509Certificate> chain) {
            this.certificateChain = Checks.chain(chain);
            return this;
        }

        public PeerInfo build() {
            return new PeerInfo(this);
        }
    }
}
