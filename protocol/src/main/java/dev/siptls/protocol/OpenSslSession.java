package dev.siptls.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A security association written as an OpenSSL {@code SSL_SESSION}, so that a TLS peer nobody here wrote can
 * take part in phase 3: {@code openssl s_client -tls1_2 -sess_in sa.pem} offers the SA's session id and
 * resumes against a SIP-TLS server ("Reused, TLSv1.2"). It is the client's view of the SA: the peer
 * certificate, when the SA carries one, is the server's leaf.
 *
 * <p>The encoding is the ASN.1 DER structure of OpenSSL's {@code ssl/ssl_asn1.c} ({@code SSL_SESSION_ASN1},
 * unchanged from 1.1.1 to 3.x): a SEQUENCE of version 1, protocol {@code 0x0303}, the two-byte suite code,
 * session id, master key, then explicitly tagged optional fields of which this writes {@code [1]} creation
 * time and {@code [2]} lifetime (seconds), {@code [3]} peer certificate, and {@code [13]} flags, where bit 0
 * means extended master secret (without it OpenSSL refuses the resumption: "inconsistent extms"). PEM label:
 * {@value #PEM_LABEL}.
 *
 * <p>A TLS 1.3 SA is no session but an external PSK. OpenSSL takes a SHA-256 one on the command line
 * ({@link #pskArguments}); its {@code -psk} always means a SHA-256 PSK, so a SHA-384 one
 * ({@code TLS_AES_256_GCM_SHA384}) goes in a session file read by {@code -psk_session} ({@link #pskSessionArguments}):
 * the same structure with protocol {@code 0x0304}, the PSK as master key, no peer certificate and no flags.
 *
 * <p>The output holds the master secret in clear: it is an export of the secret, for a test peer or an
 * operator's diagnosis. {@link #toDer} returns an array the caller should zero; {@link #writePem} creates
 * its file readable by the owner only and leaves no other copy behind; {@link #toPem} returns a
 * {@code String}, which cannot be wiped, for callers that accept that (e.g. printing to a terminal).
 */
public final class OpenSslSession {

    /** The PEM label OpenSSL reads and writes sessions under ({@code PEM_STRING_SSL_SESSION}). */
    public static final String PEM_LABEL = "SSL SESSION PARAMETERS";

    /** {@code SSL_SESSION_ASN1_VERSION}. */
    private static final int ASN1_VERSION = 1;
    /** {@code TLS1_2_VERSION}. */
    private static final int TLS1_2_VERSION = 0x0303;
    /** {@code TLS1_3_VERSION}. */
    private static final int TLS1_3_VERSION = 0x0304;
    /** {@code SSL_SESS_FLAG_EXTMS}. */
    private static final int FLAG_EXTENDED_MASTER_SECRET = 0x1;

    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int SEQUENCE = 0x30;
    private static final int CONTEXT_CONSTRUCTED = 0xA0;

    private OpenSslSession() {
    }

    /**
     * The arguments with which {@code openssl s_client} or {@code s_server} use a TLS 1.3 SA of a SHA-256 suite:
     * {@code -tls1_3 -ciphersuites SUITE -psk HEX -psk_identity IDENTITY} (OpenSSL's TLS 1.3 suite names are the
     * IANA ones; the identity is printable, {@link SecurityAssociation#pskIdentity}). OpenSSL then uses the PSK
     * only with an (EC)DHE exchange, {@code psk_dhe_ke}, as SIP-TLS does: never add {@code -allow_no_dhe_kex}.
     * The PSK is in a {@code String}, which cannot be wiped: for printing to a terminal or starting a test peer.
     *
     * @throws IllegalArgumentException for a TLS 1.2 SA (write it with {@link #writePem}), or a SHA-384 one, which
     *                                  OpenSSL's {@code -psk} cannot carry ({@link #pskSessionArguments})
     * @throws IllegalStateException if the SA is destroyed
     */
    public static List<String> pskArguments(SecurityAssociation sa) {
        requireTls13(sa);
        if (CipherSuites.hashLength(sa.cipherSuite()) != 32) {
            throw new IllegalArgumentException("OpenSSL's -psk is a SHA-256 PSK; the " + sa.cipherSuite()
                    + " SA's goes in a -psk_session file");
        }
        byte[] psk = sa.masterSecret();
        try {
            return List.of("-tls1_3", "-ciphersuites", sa.cipherSuite(), "-psk", HexFormat.of().formatHex(psk),
                    "-psk_identity", new String(sa.pskIdentity(), StandardCharsets.US_ASCII));
        } finally {
            Arrays.fill(psk, (byte) 0);
        }
    }

    /**
     * The arguments with which {@code openssl s_client} or {@code s_server} use a TLS 1.3 SA of any suite whose
     * session file {@link #writePem} wrote to {@code sessionFile}: {@code -tls1_3 -ciphersuites SUITE
     * -psk_session FILE -psk_identity IDENTITY}. They hold no secret.
     *
     * @throws IllegalArgumentException for a TLS 1.2 SA ({@code -sess_in} resumes it)
     */
    public static List<String> pskSessionArguments(SecurityAssociation sa, Path sessionFile) {
        requireTls13(sa);
        return List.of("-tls1_3", "-ciphersuites", sa.cipherSuite(), "-psk_session", sessionFile.toString(),
                "-psk_identity", new String(sa.pskIdentity(), StandardCharsets.US_ASCII));
    }

    private static void requireTls13(SecurityAssociation sa) {
        Objects.requireNonNull(sa, "sa");
        if (!sa.isTls13()) {
            throw new IllegalArgumentException("a " + sa.protocolVersion() + " SA is a session, not a PSK: write it"
                    + " as an OpenSSL session file");
        }
    }

    /**
     * The DER encoding of {@code sa} as an {@code SSL_SESSION} (of a TLS 1.3 SA: the PSK session
     * {@code -psk_session} reads); holds the secret, so zero it when done.
     *
     * @throws IllegalStateException if the SA is destroyed
     * @throws IllegalArgumentException if its server certificate cannot be encoded
     */
    public static byte[] toDer(SecurityAssociation sa) {
        Objects.requireNonNull(sa, "sa");
        byte[] secret = sa.masterSecret();
        byte[] masterKey = null;
        try {
            masterKey = tlv(OCTET_STRING, secret);
            int suite = CipherSuites.code(sa.cipherSuite());
            byte[][] fields = {
                integer(BigInteger.valueOf(ASN1_VERSION)),
                integer(BigInteger.valueOf(sa.isTls13() ? TLS1_3_VERSION : TLS1_2_VERSION)),
                tlv(OCTET_STRING, new byte[] {(byte) (suite >> 8), (byte) suite}),
                tlv(OCTET_STRING, sa.sessionId()),
                masterKey,
                explicit(1, integer(BigInteger.valueOf(sa.creationTime().getEpochSecond()))),
                explicit(2, integer(BigInteger.valueOf(sa.lifetime().getSeconds()))),
                sa.isTls13() ? new byte[0] : peerCertificate(sa.server().certificateChain()),
                sa.extendedMasterSecret()
                        ? explicit(13, integer(BigInteger.valueOf(FLAG_EXTENDED_MASTER_SECRET))) : new byte[0],
            };
            return tlv(SEQUENCE, fields);
        } finally {
            Arrays.fill(secret, (byte) 0);
            if (masterKey != null) {
                Arrays.fill(masterKey, (byte) 0);
            }
        }
    }

    /**
     * The PEM form OpenSSL's {@code -sess_in} reads. A {@code String} holding the master secret cannot be
     * zeroed: prefer {@link #writePem} where a file is wanted.
     */
    public static String toPem(SecurityAssociation sa) {
        byte[] pem = pemBytes(sa);
        try {
            return new String(pem, StandardCharsets.US_ASCII);
        } finally {
            Arrays.fill(pem, (byte) 0);
        }
    }

    /**
     * Writes the PEM form to a new file that only its owner may read (on POSIX file systems), without leaving
     * another copy of the secret in memory.
     *
     * @throws FileAlreadyExistsException if {@code file} exists (an export never overwrites)
     */
    public static void writePem(SecurityAssociation sa, Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] pem = pemBytes(sa);
        try {
            create(file);
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(pem);
            }
        } finally {
            Arrays.fill(pem, (byte) 0);
        }
    }

    private static void create(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
    }

    private static byte[] pemBytes(SecurityAssociation sa) {
        byte[] der = toDer(sa);
        byte[] body = null;
        try {
            body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encode(der);
            byte[] begin = ("-----BEGIN " + PEM_LABEL + "-----\n").getBytes(StandardCharsets.US_ASCII);
            byte[] end = ("\n-----END " + PEM_LABEL + "-----\n").getBytes(StandardCharsets.US_ASCII);
            byte[] pem = new byte[begin.length + body.length + end.length];
            System.arraycopy(begin, 0, pem, 0, begin.length);
            System.arraycopy(body, 0, pem, begin.length, body.length);
            System.arraycopy(end, 0, pem, begin.length + body.length, end.length);
            return pem;
        } finally {
            Arrays.fill(der, (byte) 0);
            if (body != null) {
                Arrays.fill(body, (byte) 0);
            }
        }
    }

    /** {@code [3] EXPLICIT Certificate}: the server's leaf, or nothing. */
    private static byte[] peerCertificate(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return new byte[0];
        }
        try {
            return explicit(3, chain.get(0).getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the SA's server certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    private static byte[] integer(BigInteger value) {
        return tlv(INTEGER, value.toByteArray()); // two's complement, minimal: what DER wants
    }

    private static byte[] explicit(int tag, byte[] inner) {
        return tlv(CONTEXT_CONSTRUCTED | tag, inner);
    }

    private static byte[] tlv(int tag, byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] header = header(tag, length);
        byte[] out = new byte[header.length + length];
        System.arraycopy(header, 0, out, 0, header.length);
        int at = header.length;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** Tag and DER length: short form below 128, else 0x80 | number of length bytes, then the bytes. */
    private static byte[] header(int tag, int length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        int bytes = length > 0xFFFFFF ? 4 : length > 0xFFFF ? 3 : length > 0xFF ? 2 : 1;
        byte[] out = new byte[2 + bytes];
        out[0] = (byte) tag;
        out[1] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            out[2 + i] = (byte) (length >>> (8 * (bytes - 1 - i)));
        }
        return out;
    }
}
