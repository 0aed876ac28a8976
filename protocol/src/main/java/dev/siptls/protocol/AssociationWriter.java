package dev.siptls.protocol;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * Writes an SA body straight into bytes, for the one fixed layout the key server sends thousands of a second:
 * the bytes the XML generator writes for it ({@link XmlCodec}), without a generator per body. Only text that
 * needs no escaping is written here (printable ASCII but {@code < > & " '}, no empty values); for anything
 * else {@link #write} declines and the generator writes the body, escaping included.
 */
final class AssociationWriter {

    private static final Base64.Encoder BASE64 = Base64.getEncoder();

    /** The last creation time written and its text: every SA made in the same second has the same one. */
    private volatile Stamp lastStamp = new Stamp(Instant.EPOCH, Instant.EPOCH.toString());

    private record Stamp(Instant instant, String text) {
    }

    /**
     * Writes {@code sa}, with {@code secret} its master secret or PSK, into {@code out} and returns true; false
     * (with nothing written) if a text value is one this writer leaves to the generator.
     */
    boolean write(SecurityAssociation sa, byte[] secret, SecretField field, Out out) {
        PeerInfo client = sa.client();
        PeerInfo server = sa.server();
        String created = creationText(sa.creationTime());
        if (!plain(sa.cipherSuite()) || !plain(sa.protocolVersion()) || !plain(created) || !plain(client)
                || !plain(server)) {
            return false;
        }
        out.ascii("<TLS>");
        out.binary("SessionID", sa.sessionId());
        out.text("CipherSuite", sa.cipherSuite());
        out.text("ProtocolVersion", sa.protocolVersion());
        if (!sa.isTls13()) {
            out.text("ExtendedMasterSecret", Boolean.toString(sa.extendedMasterSecret()));
        }
        out.binary(field.name(), secret);
        out.text("Lifetime", Long.toString(sa.lifetime().getSeconds()));
        out.text("CreationTime", created);
        peer(out, "ClientInfo", client);
        peer(out, "ServerInfo", server);
        out.ascii("</TLS>");
        return true;
    }

    private static void peer(Out out, String name, PeerInfo peer) {
        out.ascii("<").ascii(name).ascii(">");
        out.binary("Random", peer.random());
        out.text("Identity", peer.identity());
        if (peer.address().isPresent()) {
            out.text("Host", peer.address().get().host());
            out.text("Port", Integer.toString(peer.address().get().port()));
        }
        for (X509Certificate certificate : peer.certificateChain()) {
            try {
                out.binary("Certificate", certificate.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException(
                        "certificate cannot be encoded: " + certificate.getSubjectX500Principal(), e);
            }
        }
        out.ascii("</").ascii(name).ascii(">");
    }

    private String creationText(Instant created) {
        Stamp stamp = lastStamp;
        if (!stamp.instant.equals(created)) {
            stamp = new Stamp(created, created.toString());
            lastStamp = stamp;
        }
        return stamp.text;
    }

    private static boolean plain(PeerInfo peer) {
        return plain(peer.identity()) && peer.address().map(a -> plain(a.host())).orElse(true);
    }

    /** Text the generator writes as it is: non-empty printable ASCII with nothing XML escapes. */
    static boolean plain(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '<' || c == '>' || c == '&' || c == '"' || c == '\'') {
                return false;
            }
        }
        return true;
    }

    /** The body's bytes, in an array the caller zeroes ({@link #wipe}): it holds a secret. */
    static final class Out {
        private byte[] buf;
        private int size;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        Out ascii(String s) {
            ensure(s.length());
            for (int i = 0; i < s.length(); i++) {
                buf[size++] = (byte) s.charAt(i); // ASCII only: plain() checked every value
            }
            return this;
        }

        void text(String name, String value) {
            ascii("<").ascii(name).ascii(">").ascii(value).ascii("</").ascii(name).ascii(">");
        }

        /** Standard base64, padded, no line breaks; the encoded copy is zeroed. */
        void binary(String name, byte[] value) {
            ascii("<").ascii(name).ascii(">");
            int length = (value.length + 2) / 3 * 4;
            ensure(length);
            byte[] encoded = BASE64.encode(value);
            System.arraycopy(encoded, 0, buf, size, length);
            Arrays.fill(encoded, (byte) 0);
            size += length;
            ascii("</").ascii(name).ascii(">");
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                byte[] bigger = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
                Arrays.fill(buf, (byte) 0);
                buf = bigger;
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }

        void wipe() {
            Arrays.fill(buf, (byte) 0);
        }

        @Override
        public String toString() {
            return "AssociationWriter.Out[" + size + " bytes]";
        }
    }
}
