package dev.siptls.protocol;

import com.fasterxml.jackson.dataformat.xml.deser.FromXmlParser;
import com.fasterxml.jackson.dataformat.xml.ser.ToXmlGenerator;
import dev.siptls.protocol.Element.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.xml.stream.XMLStreamException;

/**
 * Reads and writes SIP-TLS bodies, the XML of docs/PROTOCOL.md ("Bodies"). Thread-safe; one shared
 * instance is enough.
 *
 * <p>Decoding fails closed: bodies over {@value #MAX_BODY_BYTES} bytes, with a DOCTYPE, entity
 * references, attributes, namespaces, unknown or repeated elements, missing elements or invalid
 * values are refused with an {@link InvalidBodyException} whose message can be sent back as the
 * reason phrase. In an SA every element of the layout is required except a peer's
 * {@code Host}/{@code Port} (both or neither) and {@code Certificate}s; a TLS 1.2 SA carries
 * {@code ExtendedMasterSecret} and {@code MasterSecret}, a TLS 1.3 SA neither but a {@code PSK}. In a policy only
 * {@code CipherSuite} is required ({@code Possession}, the proof of possession, and {@code ProtocolVersion} are
 * optional: bodies without them parse as before, a policy without versions accepting TLS 1.2 only). Element order
 * is free, but repeated elements keep theirs.
 */
public final class XmlCodec {

    /** Largest body accepted, checked before parsing. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** Largest suite offer accepted: {@value SuiteOffer#MAX_SUITES} of the longest names fit with room to spare. */
    public static final int MAX_OFFER_BYTES = 8 * 1024;

    private static final String CIPHER_SUITE = "CipherSuite";
    private static final String MAX_LIFETIME = "MaxLifetime";
    private static final String BINDING = "Binding";
    private static final String CERTIFICATE = "Certificate";
    private static final String POSSESSION = "Possession";
    private static final String SESSION_ID = "SessionID";
    private static final String PROTOCOL_VERSION = "ProtocolVersion";
    private static final String EXTENDED_MASTER_SECRET = "ExtendedMasterSecret";
    private static final String MASTER_SECRET = SecretField.MASTER_SECRET.name();
    private static final String PSK = SecretField.PSK.name();
    private static final String LIFETIME = "Lifetime";
    private static final String CREATION_TIME = "CreationTime";
    private static final String CLIENT_INFO = "ClientInfo";
    private static final String SERVER_INFO = "ServerInfo";
    private static final String RANDOM = "Random";
    private static final String IDENTITY = "Identity";
    private static final String HOST = "Host";
    private static final String PORT = "Port";

    private static final Shape POLICY = new Shape(Element.ROOT,
            Set.of(MAX_LIFETIME, POSSESSION), Set.of(PROTOCOL_VERSION, CIPHER_SUITE, BINDING, CERTIFICATE), Map.of());
    private static final Shape OFFER = new Shape(Element.ROOT, Set.of(), Set.of(CIPHER_SUITE), Map.of());
    private static final Shape ASSOCIATION = new Shape(Element.ROOT,
            Set.of(SESSION_ID, CIPHER_SUITE, PROTOCOL_VERSION, EXTENDED_MASTER_SECRET, MASTER_SECRET, PSK, LIFETIME,
                    CREATION_TIME),
            Set.of(),
            Map.of(CLIENT_INFO, peerShape(CLIENT_INFO), SERVER_INFO, peerShape(SERVER_INFO)));

    private final HardenedXml xml = new HardenedXml();
    private final AssociationWriter writer = new AssociationWriter();
    /** The certificates of SA bodies read lately: an agent gets the same few chains in every SA. */
    private final RecentCertificates recent = new RecentCertificates();

    public XmlCodec() {
    }

    private static Shape peerShape(String name) {
        return new Shape(name, Set.of(RANDOM, IDENTITY, HOST, PORT), Set.of(CERTIFICATE), Map.of());
    }

    /**
     * The {@code application/siptls-policy+xml} body of a policy. A TLS 1.2-only policy is written without
     * {@code ProtocolVersion}, exactly as before versions existed, so that key servers that know none read it.
     */
    public byte[] encode(SecurityPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024 + 4096 * policy.certificateChain().size());
        try (ToXmlGenerator g = xml.generator(out)) {
            g.writeStartObject();
            if (!policy.protocolVersions().equals(List.of(CipherSuites.TLS_1_2))) {
                for (String version : policy.protocolVersions()) {
                    g.writeStringField(PROTOCOL_VERSION, version);
                }
            }
            for (String suite : policy.cipherSuites()) {
                g.writeStringField(CIPHER_SUITE, suite);
            }
            if (policy.maxLifetime().isPresent()) {
                g.writeNumberField(MAX_LIFETIME, policy.maxLifetime().get().getSeconds());
            }
            for (HostPort binding : policy.bindings()) {
                g.writeStringField(BINDING, binding.toString());
            }
            writeCertificates(g, policy.certificateChain());
            if (policy.possession().isPresent()) {
                writeBinaryField(g, POSSESSION, policy.possession().get());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Reads a policy body; see the class comment for what is refused. */
    public SecurityPolicy decodePolicy(byte[] body) throws InvalidBodyException {
        Element tls = read(body, POLICY);
        try {
            List<String> suites = new ArrayList<>();
            for (String suite : tls.all(CIPHER_SUITE)) {
                suites.add(XmlValues.text(suite));
            }
            if (suites.isEmpty()) {
                throw tls.missing(CIPHER_SUITE);
            }
            List<String> versions = new ArrayList<>();
            for (String version : tls.all(PROTOCOL_VERSION)) {
                versions.add(XmlValues.text(version));
            }
            SecurityPolicy.Builder policy = SecurityPolicy.builder().protocolVersions(versions).cipherSuites(suites);
            Optional<String> maxLifetime = tls.optional(MAX_LIFETIME);
            if (maxLifetime.isPresent()) {
                policy.maxLifetime(XmlValues.seconds(MAX_LIFETIME, maxLifetime.get()));
            }
            for (String binding : tls.all(BINDING)) {
                policy.binding(HostPort.parse(XmlValues.text(binding)));
            }
            Optional<String> possession = tls.optional(POSSESSION);
            if (possession.isPresent()) {
                policy.possession(XmlValues.base64(POSSESSION, possession.get()));
            }
            return policy.certificateChain(XmlValues.certificates(CERTIFICATE, tls.name(), tls.all(CERTIFICATE)))
                    .build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidBodyException(e.getMessage());
        }
    }

    /** The {@code application/siptls-suites+xml} body of a suite offer: {@code <TLS>} with its suites in order. */
    public byte[] encode(SuiteOffer offer) {
        Objects.requireNonNull(offer, "offer");
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * offer.cipherSuites().size() + 32);
        try (ToXmlGenerator g = xml.generator(out)) {
            g.writeStartObject();
            for (String suite : offer.cipherSuites()) {
                g.writeStringField(CIPHER_SUITE, suite);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Reads a suite offer; refused like any body (see the class comment), and also over
     * {@value #MAX_OFFER_BYTES} bytes, with more than {@value SuiteOffer#MAX_SUITES} suites, or with none.
     */
    public SuiteOffer decodeSuiteOffer(byte[] body) throws InvalidBodyException {
        Objects.requireNonNull(body, "body");
        if (body.length > MAX_OFFER_BYTES) {
            throw new InvalidBodyException("suite offer of " + body.length + " bytes exceeds " + MAX_OFFER_BYTES);
        }
        Element tls = read(body, OFFER);
        List<String> suites = new ArrayList<>();
        for (String suite : tls.all(CIPHER_SUITE)) {
            suites.add(XmlValues.text(suite));
        }
        if (suites.isEmpty()) {
            throw tls.missing(CIPHER_SUITE);
        }
        try {
            return SuiteOffer.of(suites);
        } catch (IllegalArgumentException e) {
            throw new InvalidBodyException(e.getMessage());
        }
    }

    /**
     * The {@code application/siptls-sa+xml} body of an SA. It contains the secret (master secret or PSK): send it
     * only over TLS, never log it, and zero it when sent.
     *
     * @throws IllegalStateException if the SA is destroyed
     */
    public byte[] encode(SecurityAssociation sa) {
        Objects.requireNonNull(sa, "security association");
        int certificates = sa.client().certificateChain().size() + sa.server().certificateChain().size();
        byte[] secret = sa.masterSecret();
        SecretField field = sa.isTls13() ? SecretField.PSK : SecretField.MASTER_SECRET;
        AssociationWriter.Out direct = new AssociationWriter.Out(1024 + 2048 * certificates);
        boolean escaping = false;
        try {
            if (writer.write(sa, secret, field, direct)) {
                return direct.toByteArray();
            }
            escaping = true;
        } finally {
            direct.wipe();
            if (!escaping) {
                Arrays.fill(secret, (byte) 0);
            }
        }
        return encodeWithGenerator(sa, secret, field, certificates);
    }

    /** The same bytes through the XML generator, which escapes what needs it; zeroes {@code secret}. */
    byte[] encodeWithGenerator(SecurityAssociation sa, byte[] secret, SecretField field, int certificates) {
        WipingBuffer out = new WipingBuffer(2048 + 4096 * certificates);
        try {
            try (ToXmlGenerator g = xml.generator(out)) {
                g.writeStartObject();
                writeBinaryField(g, SESSION_ID, sa.sessionId());
                g.writeStringField(CIPHER_SUITE, sa.cipherSuite());
                g.writeStringField(PROTOCOL_VERSION, sa.protocolVersion());
                if (!sa.isTls13()) {
                    g.writeStringField(EXTENDED_MASTER_SECRET, Boolean.toString(sa.extendedMasterSecret()));
                }
                writeBinaryField(g, field.name(), SecretField.placeholder(secret.length)); // the real one: below
                g.writeNumberField(LIFETIME, sa.lifetime().getSeconds());
                g.writeStringField(CREATION_TIME, sa.creationTime().toString());
                writePeer(g, CLIENT_INFO, sa.client());
                writePeer(g, SERVER_INFO, sa.server());
                g.writeEndObject();
            }
            byte[] xml = out.toByteArray();
            field.fill(xml, secret);
            return xml;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Arrays.fill(secret, (byte) 0);
            out.wipe();
        }
    }

    /** Reads an SA body; see the class comment for what is refused. */
    public SecurityAssociation decodeAssociation(byte[] body) throws InvalidBodyException {
        Objects.requireNonNull(body, "body");
        byte[] copy = body.clone();
        byte[][] taken = SecretField.takeBoth(copy);
        byte[] masterSecret = taken[0];
        byte[] psk = taken[1];
        try {
            return decode(copy, masterSecret, psk);
        } finally {
            Arrays.fill(copy, (byte) 0);
            for (byte[] secret : new byte[][] {masterSecret, psk}) {
                if (secret != null) {
                    Arrays.fill(secret, (byte) 0);
                }
            }
        }
    }

    /**
     * With {@code takenMaster} and {@code takenPsk} the secrets {@link SecretField#take} took out of {@code body}
     * (null where it took none).
     */
    private SecurityAssociation decode(byte[] body, byte[] takenMaster, byte[] takenPsk) throws InvalidBodyException {
        Element tls = read(body, ASSOCIATION);
        byte[] secret = null;
        try {
            String version = XmlValues.text(tls.required(PROTOCOL_VERSION));
            boolean tls13 = CipherSuites.TLS_1_3.equals(version);
            if (tls.optional(PSK).isPresent() && tls.optional(MASTER_SECRET).isPresent()) {
                throw new InvalidBodyException("an SA has either <" + PSK + "> or <" + MASTER_SECRET + ">, not both");
            }
            String secretName = tls13 ? PSK : MASTER_SECRET;
            String wrong = tls13 ? MASTER_SECRET : PSK;
            if (tls.optional(wrong).isPresent()) {
                throw new InvalidBodyException("a " + version + " SA carries no <" + wrong + ">");
            }
            if (tls13 && tls.optional(EXTENDED_MASTER_SECRET).isPresent()) {
                throw new InvalidBodyException("a " + version + " SA carries no <" + EXTENDED_MASTER_SECRET + ">");
            }
            SecurityAssociation.Builder sa = SecurityAssociation.builder()
                    .sessionId(XmlValues.base64(SESSION_ID, tls.required(SESSION_ID)))
                    .cipherSuite(XmlValues.text(tls.required(CIPHER_SUITE)))
                    .protocolVersion(version)
                    .lifetime(XmlValues.seconds(LIFETIME, tls.required(LIFETIME)))
                    .creationTime(XmlValues.utc(CREATION_TIME, tls.required(CREATION_TIME)))
                    .client(readPeer(tls.child(CLIENT_INFO)))
                    .server(readPeer(tls.child(SERVER_INFO)));
            if (!tls13) {
                sa.extendedMasterSecret(XmlValues.bool(EXTENDED_MASTER_SECRET, tls.required(EXTENDED_MASTER_SECRET)));
            }
            secret = XmlValues.base64(secretName, tls.required(secretName));
            byte[] taken = tls13 ? takenPsk : takenMaster;
            if (taken != null) {
                Arrays.fill(secret, (byte) 0);
                secret = taken.clone();
            }
            // Nothing may fail between handing the secret over and build(), which consumes it.
            return sa.masterSecret(secret).build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidBodyException(e.getMessage());
        } finally {
            if (secret != null) {
                Arrays.fill(secret, (byte) 0);
            }
        }
    }

    private Element read(byte[] body, Shape shape) throws InvalidBodyException {
        Objects.requireNonNull(body, "body");
        if (body.length == 0) {
            throw new InvalidBodyException("empty body");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new InvalidBodyException("body of " + body.length + " bytes exceeds " + MAX_BODY_BYTES);
        }
        try (FromXmlParser parser = xml.open(body)) {
            return Element.readRoot(parser, shape);
        } catch (IOException | XMLStreamException | RuntimeException e) {
            // RuntimeException: Woodstox reports some failures unchecked; a hostile body is still a 400.
            throw HardenedXml.refusal(e);
        }
    }

    private PeerInfo readPeer(Element peer) throws InvalidBodyException {
        PeerInfo.Builder b = PeerInfo.builder()
                .random(XmlValues.base64(RANDOM, peer.required(RANDOM)))
                .identity(XmlValues.text(peer.required(IDENTITY)))
                .certificateChain(XmlValues.certificates(CERTIFICATE, peer.name(), peer.all(CERTIFICATE), recent));
        Optional<String> host = peer.optional(HOST);
        Optional<String> port = peer.optional(PORT);
        if (host.isPresent() != port.isPresent()) {
            throw peer.missing(host.isPresent() ? PORT : HOST);
        }
        if (host.isPresent()) {
            b.address(new HostPort(XmlValues.text(host.get()), XmlValues.port(PORT, port.get())));
        }
        return b.build();
    }

    private static void writePeer(ToXmlGenerator g, String name, PeerInfo peer) throws IOException {
        g.writeObjectFieldStart(name);
        writeBinaryField(g, RANDOM, peer.random());
        g.writeStringField(IDENTITY, peer.identity());
        if (peer.address().isPresent()) {
            g.writeStringField(HOST, peer.address().get().host());
            g.writeNumberField(PORT, peer.address().get().port());
        }
        writeCertificates(g, peer.certificateChain());
        g.writeEndObject();
    }

    private static void writeCertificates(ToXmlGenerator g, List<X509Certificate> chain) throws IOException {
        for (X509Certificate certificate : chain) {
            try {
                writeBinaryField(g, CERTIFICATE, certificate.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException(
                        "certificate cannot be encoded: " + certificate.getSubjectX500Principal(), e);
            }
        }
    }

    /** Base64 straight from the bytes (standard alphabet, padded, no line breaks): no String copy. */
    private static void writeBinaryField(ToXmlGenerator g, String name, byte[] value) throws IOException {
        g.writeFieldName(name);
        g.writeBinary(value);
    }

    /** An output buffer that can be zeroed once copied out, since an SA body holds a secret. */
    private static final class WipingBuffer extends ByteArrayOutputStream {
        WipingBuffer(int size) {
            super(size);
        }

        void wipe() {
            Arrays.fill(buf, (byte) 0);
        }
    }
}
