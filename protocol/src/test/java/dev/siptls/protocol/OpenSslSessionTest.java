package dev.siptls.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SAs written as OpenSSL sessions: the DER layout of ssl_asn1.c, and what OpenSSL itself reads back. */
class OpenSslSessionTest {

    @TempDir
    Path dir;

    @Test
    void derFollowsTheLayoutOfOpenSslsSessionAsn1() {
        SecurityAssociation sa = TestData.association().build();

        List<Tlv> fields = Tlv.read(OpenSslSession.toDer(sa), 0x30).children();

        assertEquals(BigInteger.ONE, fields.get(0).integer(0x02), "SSL_SESSION_ASN1_VERSION");
        assertEquals(BigInteger.valueOf(0x0303), fields.get(1).integer(0x02), "TLS 1.2");
        assertArrayEquals(new byte[] {(byte) 0xC0, 0x2B}, fields.get(2).value(0x04), "suite code");
        assertArrayEquals(TestData.bytes(32, 0xA0), fields.get(3).value(0x04), "session id");
        assertArrayEquals(TestData.masterSecret(), fields.get(4).value(0x04), "master key");
        assertEquals(BigInteger.valueOf(TestData.CREATED.getEpochSecond()), fields.get(5).explicit(0xA1).integer(0x02));
        assertEquals(BigInteger.valueOf(3600), fields.get(6).explicit(0xA2).integer(0x02));
        assertEquals(0x30, fields.get(7).explicit(0xA3).tag(), "peer certificate");
        assertEquals(BigInteger.ONE, fields.get(8).explicit(0xAD).integer(0x02), "flags: extended master secret");
        assertEquals(9, fields.size());
    }

    @Test
    void withoutExtendedMasterSecretTheFlagsAreLeftOut() {
        SecurityAssociation sa = TestData.association().extendedMasterSecret(false).build();

        List<Tlv> fields = Tlv.read(OpenSslSession.toDer(sa), 0x30).children();

        assertTrue(fields.stream().noneMatch(f -> f.tag() == 0xAD));
    }

    @Test
    void withoutServerCertificateThePeerIsLeftOut() {
        SecurityAssociation sa = TestData.association().server(PeerInfo.builder().random(TestData.bytes(32, 1))
                .identity("sip:bob@example.com").build()).build();

        List<Tlv> fields = Tlv.read(OpenSslSession.toDer(sa), 0x30).children();

        assertTrue(fields.stream().noneMatch(f -> f.tag() == 0xA3));
        assertEquals(0xAD, fields.get(fields.size() - 1).tag());
    }

    @Test
    void pemCarriesTheLabelOpenSslReads() {
        String pem = OpenSslSession.toPem(TestData.association().build());

        assertTrue(pem.startsWith("-----BEGIN SSL SESSION PARAMETERS-----\n"), pem);
        assertTrue(pem.endsWith("\n-----END SSL SESSION PARAMETERS-----\n"), pem);
        assertTrue(pem.lines().allMatch(line -> line.length() <= 64 || line.startsWith("-----")));
    }

    @Test
    void aTls13SaBecomesOpenSslPskArguments() {
        SecurityAssociation sa = TestData.tls13Association().build();

        List<String> args = OpenSslSession.pskArguments(sa);

        assertEquals(List.of("-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256",
                "-psk", HexFormat.of().formatHex(TestData.psk()), "-psk_identity", sa.sessionIdHex()), args);
        assertFalse(args.contains("-allow_no_dhe_kex"), "psk_ke is never allowed");
    }

    @Test
    void aTls12SaHasNoPskArgumentsAndASha384PskNeedsASessionFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpenSslSession.pskArguments(TestData.association().build()));
        assertEquals("a TLSv1.2 SA is a session, not a PSK: write it as an OpenSSL session file", e.getMessage());
        SecurityAssociation sha384 = TestData.tls13Association().cipherSuite("TLS_AES_256_GCM_SHA384")
                .masterSecret(TestData.bytes(48, 0x21)).build();
        e = assertThrows(IllegalArgumentException.class, () -> OpenSslSession.pskArguments(sha384));
        assertEquals("OpenSSL's -psk is a SHA-256 PSK; the TLS_AES_256_GCM_SHA384 SA's goes in a -psk_session file",
                e.getMessage());
    }

    @Test
    void aTls13SasSessionIsTls13WithThePskAsMasterKey() {
        SecurityAssociation sa = TestData.tls13Association().build();

        List<Tlv> fields = Tlv.read(OpenSslSession.toDer(sa), 0x30).children();

        assertEquals(BigInteger.valueOf(0x0304), fields.get(1).integer(0x02), "TLS 1.3");
        assertArrayEquals(new byte[] {0x13, 0x01}, fields.get(2).value(0x04), "suite code");
        assertArrayEquals(TestData.psk(), fields.get(4).value(0x04), "the PSK as master key");
        assertTrue(fields.stream().noneMatch(f -> f.tag() == 0xA3 || f.tag() == 0xAD), "no peer, no flags");
    }

    @Test
    void openSslPeersGivenThePskArgumentsCompleteAPskHandshake() throws Exception {
        SecurityAssociation sa = TestData.tls13Association().build();
        String client = pskHandshake(OpenSslSession.pskArguments(sa), OpenSslSession.pskArguments(sa));
        assertTrue(client.contains("Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256"), client);

        SecurityAssociation wrong = TestData.tls13Association().masterSecret(TestData.bytes(32, 0x22)).build();
        String refused = pskHandshake(OpenSslSession.pskArguments(sa), OpenSslSession.pskArguments(wrong));
        assertFalse(refused.contains("Reused, TLSv1.3"), refused);
    }

    @Test
    void openSslPeersGivenTheSessionFileCompleteASha384PskHandshake() throws Exception {
        // OpenSSL uses a session file only within its lifetime
        SecurityAssociation sa = TestData.tls13Association().cipherSuite("TLS_AES_256_GCM_SHA384")
                .masterSecret(TestData.bytes(48, 0x21))
                .creationTime(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).build();
        Path file = dir.resolve("psk.pem");
        OpenSslSession.writePem(sa, file);
        List<String> args = OpenSslSession.pskSessionArguments(sa, file);
        assertEquals(List.of("-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384", "-psk_session", file.toString(),
                "-psk_identity", sa.sessionIdHex()), args);

        String client = pskHandshake(args, args);

        assertTrue(client.contains("Reused, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"), client);
    }

    /** {@code openssl s_server} with {@code serverArgs}, then {@code s_client} with {@code clientArgs}: its output. */
    private static String pskHandshake(List<String> serverArgs, List<String> clientArgs) throws Exception {
        List<String> server = new ArrayList<>(List.of("openssl", "s_server", "-nocert", "-accept", "127.0.0.1:0",
                "-naccept", "1"));
        server.addAll(serverArgs);
        Process s;
        try {
            s = new ProcessBuilder(server).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            Assumptions.abort("SKIPPED: the openssl command is not installed: " + notInstalled.getMessage());
            throw notInstalled;
        }
        try {
            // s_server stops at the end of its input: its stdin stays open until it is destroyed.
            java.io.BufferedReader lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String line;
            String port = null;
            while (port == null && (line = lines.readLine()) != null) {
                if (line.startsWith("ACCEPT ")) {
                    port = line.substring(line.lastIndexOf(':') + 1).trim();
                }
            }
            assertTrue(port != null, "s_server did not say where it listens");
            List<String> command = new ArrayList<>(List.of("s_client", "-connect", "127.0.0.1:" + port));
            command.addAll(clientArgs);
            return opensslAnyExit(command.toArray(String[]::new));
        } finally {
            s.destroyForcibly();
        }
    }

    /** As {@link #openssl} but a failed handshake's exit status is part of the result, not a failure. */
    private static String opensslAnyExit(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] out;
        try (InputStream in = process.getInputStream()) {
            out = in.readAllBytes();
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "openssl did not finish");
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void refusesADestroyedAssociation() {
        SecurityAssociation sa = TestData.association().build();
        sa.destroy();

        assertThrows(IllegalStateException.class, () -> OpenSslSession.toPem(sa));
    }

    @Test
    void writtenFileIsReadableByItsOwnerOnlyAndNeverOverwritten() throws IOException {
        Path file = dir.resolve("sa.pem");
        SecurityAssociation sa = TestData.association().build();

        OpenSslSession.writePem(sa, file);

        assertEquals(OpenSslSession.toPem(sa), Files.readString(file, StandardCharsets.US_ASCII));
        if (Files.getFileAttributeView(file, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        assertThrows(FileAlreadyExistsException.class, () -> OpenSslSession.writePem(sa, file));
    }

    @Test
    void openSslReadsTheSessionIdMasterKeyAndExtendedMasterSecret() throws Exception {
        Path file = dir.resolve("sa.pem");
        OpenSslSession.writePem(TestData.association().build(), file);

        String text = openssl("sess_id", "-in", file.toString(), "-text", "-noout");

        assertTrue(text.contains("Protocol  : TLSv1.2"), text);
        assertTrue(text.contains("Cipher    : ECDHE-ECDSA-AES128-GCM-SHA256"), text);
        assertTrue(text.contains("Session-ID: " + hex(TestData.bytes(32, 0xA0))), text);
        assertTrue(text.contains("Master-Key: " + hex(TestData.masterSecret())), text);
        assertTrue(text.contains("Timeout   : 3600 (sec)"), text);
        assertTrue(text.contains("Extended master secret: yes"), text);
    }

    @Test
    void openSslReadsTheServerCertificateAsThePeer() throws Exception {
        Path file = dir.resolve("sa.pem");
        OpenSslSession.writePem(TestData.association().build(), file);

        // with -cert (and without -noout) sess_id writes the session's peer certificate instead of the session
        String pem = openssl("sess_id", "-in", file.toString(), "-cert");

        Certificate peer = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(TestData.serverChain().get(0), peer);
    }

    @Test
    void openSslSeesNoExtendedMasterSecretWhenTheAssociationHasNone() throws Exception {
        Path file = dir.resolve("sa.pem");
        OpenSslSession.writePem(TestData.association().extendedMasterSecret(false).build(), file);

        String text = openssl("sess_id", "-in", file.toString(), "-text", "-noout");

        assertTrue(text.contains("Extended master secret: no"), text);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes).toUpperCase(Locale.ROOT);
    }

    /** Runs {@code openssl}, skipping the test loudly when it is not installed. */
    private static String openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            Assumptions.abort("SKIPPED: the openssl command is not installed (Debian/Ubuntu: apt-get install openssl): "
                    + notInstalled.getMessage());
            throw notInstalled;
        }
        byte[] out;
        try (InputStream in = process.getInputStream()) {
            out = in.readAllBytes();
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "openssl did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "openssl " + String.join(" ", args) + " failed:\n" + text);
        return text;
    }

    /** Just enough of a DER reader to check the layout: tag, value, children. */
    private record Tlv(int tag, byte[] value) {

        static Tlv read(byte[] der, int expectedTag) {
            List<Tlv> all = readAll(der);
            assertEquals(1, all.size(), "one top-level element");
            assertEquals(expectedTag, all.get(0).tag());
            return all.get(0);
        }

        static List<Tlv> readAll(byte[] der) {
            List<Tlv> out = new ArrayList<>();
            int at = 0;
            while (at < der.length) {
                int tag = der[at++] & 0xFF;
                int length = der[at++] & 0xFF;
                if (length >= 0x80) {
                    int bytes = length & 0x7F;
                    assertTrue(bytes > 0 && bytes <= 4, "DER length form");
                    length = 0;
                    for (int i = 0; i < bytes; i++) {
                        length = (length << 8) | (der[at++] & 0xFF);
                    }
                    assertTrue(length >= 0x80, "DER wants the short length form below 128");
                }
                ByteArrayOutputStream value = new ByteArrayOutputStream();
                value.write(der, at, length);
                out.add(new Tlv(tag, value.toByteArray()));
                at += length;
            }
            assertEquals(der.length, at, "no trailing bytes");
            return out;
        }

        List<Tlv> children() {
            return readAll(value);
        }

        byte[] value(int expectedTag) {
            assertEquals(expectedTag, tag);
            return value;
        }

        BigInteger integer(int expectedTag) {
            byte[] v = value(expectedTag);
            assertFalse(v.length > 1 && (v[0] == 0 && (v[1] & 0x80) == 0), "DER integers are minimal");
            return new BigInteger(v);
        }

        Tlv explicit(int expectedTag) {
            List<Tlv> inner = readAll(value(expectedTag));
            assertEquals(1, inner.size());
            return inner.get(0);
        }
    }
}
