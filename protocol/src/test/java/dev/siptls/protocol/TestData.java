package dev.siptls.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Shared fixtures: the test certificate chains and a valid policy and SA built from them. */
final class TestData {

    static final Instant CREATED = Instant.parse("2026-11-29T19:00:00Z");

    private TestData() {
    }

    /** Leaf (www.example.com, sip:bob@example.com) then CA. */
    static List<X509Certificate> serverChain() {
        return chain("/certs/server-chain.pem");
    }

    /** Leaf (sip:alice@example.com) then CA. */
    static List<X509Certificate> clientChain() {
        return chain("/certs/client-chain.pem");
    }

    private static List<X509Certificate> chain(String resource) {
        try (InputStream in = TestData.class.getResourceAsStream(resource)) {
            List<X509Certificate> chain = new ArrayList<>();
            CertificateFactory.getInstance("X.509").generateCertificates(in)
                    .forEach(c -> chain.add((X509Certificate) c));
            return chain;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code n} bytes 1, 2, 3, ... (easy to recognise, never all zero). */
    static byte[] bytes(int n, int first) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    static byte[] masterSecret() {
        return bytes(48, 0x40);
    }

    static SecurityPolicy serverPolicy() {
        return SecurityPolicy.builder()
                .cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
                .cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")
                .maxLifetime(Duration.ofHours(1))
                .binding(HostPort.parse("www.example.com:8443"))
                .certificateChain(serverChain())
                .build();
    }

    static PeerInfo client() {
        return PeerInfo.builder()
                .random(bytes(32, 0x10))
                .identity("sip:alice@example.com")
                .certificateChain(clientChain())
                .build();
    }

    static PeerInfo server() {
        return PeerInfo.builder()
                .random(bytes(32, 0x70))
                .identity("sip:bob@example.com")
                .address(new HostPort("www.example.com", 8443))
                .certificateChain(serverChain())
                .build();
    }

    /** A complete, valid builder; tests change one part of it. */
    static SecurityAssociation.Builder association() {
        return SecurityAssociation.builder()
                .sessionId(bytes(32, 0xA0))
                .cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
                .protocolVersion("TLSv1.2")
                .extendedMasterSecret(true)
                .masterSecret(masterSecret())
                .lifetime(Duration.ofHours(1))
                .creationTime(CREATED)
                .client(client())
                .server(server());
    }

    /** A 32-byte PSK, recognisable like {@link #masterSecret()}. */
    static byte[] psk() {
        return bytes(32, 0x50);
    }

    /** A complete, valid TLS 1.3 builder: TLS_AES_128_GCM_SHA256 and a 32-byte PSK. */
    static SecurityAssociation.Builder tls13Association() {
        return association().protocolVersion("TLSv1.3").cipherSuite("TLS_AES_128_GCM_SHA256").masterSecret(psk());
    }

    static String utf8(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    static byte[] utf8(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }

    static boolean allZero(byte[] b) {
        byte[] zero = new byte[b.length];
        return Arrays.equals(b, zero);
    }
}
