package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.OpenSslSession;
import dev.siptls.protocol.PeerInfo;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code export-session} hands OpenSSL for each kind of SA: a session file for TLS 1.2, the {@code -psk}
 * arguments for a TLS 1.3 SA of a SHA-256 suite, a {@code -psk_session} file for a SHA-384 one; and the policy it
 * publishes.
 */
class ExportSessionCommandTest {

    private static final HostPort SERVER = new HostPort("localhost", 8443);

    @TempDir
    Path dir;

    private static SecurityAssociation sa(String version, String suite, int secretLength) {
        byte[] secret = new byte[secretLength];
        java.util.Arrays.fill(secret, (byte) 0x5C);
        return SecurityAssociation.builder().sessionId(new byte[32]).protocolVersion(version).cipherSuite(suite)
                .masterSecret(secret).lifetime(Duration.ofMinutes(10))
                .creationTime(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .client(PeerInfo.builder().random(new byte[32]).identity("sip:alice@example.com").build())
                .server(PeerInfo.builder().random(new byte[32]).identity("sip:bob@example.com").address(SERVER).build())
                .build();
    }

    private static String export(SecurityAssociation sa, Path out) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ExportSessionCommand.export(sa, SERVER, out, new PrintStream(printed, true, StandardCharsets.UTF_8));
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aTls13SaIsPrintedAsOpenSslPskArgumentsAndWritesNoFile() throws Exception {
        SecurityAssociation sa = sa("TLSv1.3", "TLS_AES_128_GCM_SHA256", 32);
        Path out = dir.resolve("sa.pem");

        String printed = export(sa, out);

        String arguments = "-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -psk " + HexFormat.of().formatHex(
                sa.masterSecret()) + " -psk_identity " + sa.sessionIdHex();
        assertTrue(printed.contains("\n" + arguments + "\n"), printed);
        assertTrue(printed.contains("openssl s_client -connect localhost:8443 " + arguments), printed);
        assertFalse(Files.exists(out), "no session file for a PSK OpenSSL takes as an argument");
    }

    @Test
    void aSha384Tls13SaIsWrittenForPskSession() throws Exception {
        SecurityAssociation sa = sa("TLSv1.3", "TLS_AES_256_GCM_SHA384", 48);
        Path out = dir.resolve("psk.pem");

        String printed = export(sa, out);

        assertTrue(printed.contains(String.join(" ", OpenSslSession.pskSessionArguments(sa, out))), printed);
        assertFalse(printed.contains(HexFormat.of().formatHex(sa.masterSecret())), printed);
        assertEquals(OpenSslSession.toPem(sa), Files.readString(out, StandardCharsets.US_ASCII));
    }

    @Test
    void aTls12SaIsStillWrittenAsASessionFile() throws Exception {
        SecurityAssociation sa = sa("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 48);
        Path out = dir.resolve("sa12.pem");

        String printed = export(sa, out);

        assertEquals(OpenSslSession.toPem(sa), Files.readString(out, StandardCharsets.US_ASCII));
        assertTrue(printed.contains("openssl s_client -tls1_2 -connect localhost:8443 -sess_in " + out), printed);
        assertFalse(printed.contains("-psk"), printed);
    }

    @Test
    void thePolicyListsTheVersionsOfItsSuites() {
        SecurityPolicy both = ExportSessionCommand.policy(List.of(), List.of("TLSv1.3", "TLSv1.2")).build();
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), both.protocolVersions());
        assertEquals("TLS_AES_128_GCM_SHA256", both.cipherSuites().get(0));

        SecurityPolicy tls12 = ExportSessionCommand.policy(List.of(), List.of("TLSv1.2")).build();
        assertEquals(List.of("TLSv1.2"), tls12.protocolVersions());
        assertEquals("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", tls12.cipherSuites().get(0));

        SecurityPolicy configured = ExportSessionCommand.policy(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
                List.of("TLSv1.3", "TLSv1.2")).build();
        assertEquals(List.of("TLSv1.2"), configured.protocolVersions());
    }
}
