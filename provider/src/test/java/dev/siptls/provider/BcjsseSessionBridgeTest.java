package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BcjsseSessionBridgeTest {

    @TempDir
    Path dir;

    @Test
    void findsTheBctlsVersionItWasMeasuredAgainst() {
        assertEquals(BcjsseSessionBridge.REQUIRED_BCTLS, BcjsseSessionBridge.bctlsVersion());
        BcjsseSessionBridge.forInstalledBctls();
    }

    @Test
    void failsNamingBothVersionsWhenTheInternalsDiffer() {
        ClassLoader withoutBctls = new java.net.URLClassLoader(new java.net.URL[0], ClassLoader.getPlatformClassLoader());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BcjsseSessionBridge.forBctlsIn(withoutBctls));
        assertTrue(e.getMessage().startsWith("SIP-TLS needs bctls 1.84 but found bctls 1.84,"), e.getMessage());
        assertTrue(e.getMessage().contains("ProvSSLSessionContext"), e.getMessage());
    }

    private static final BcjsseSessionBridge.Lookups NO_SAS = new BcjsseSessionBridge.Lookups() {
        @Override
        public Optional<ResumableSession> byId(byte[] sessionId) {
            return Optional.empty();
        }

        @Override
        public java.util.List<byte[]> ids() {
            return java.util.List.of();
        }

        @Override
        public void invalidated(byte[] sessionId) {
        }

        @Override
        public long maxAgeMillis() {
            return Long.MAX_VALUE;
        }
    };

    @Test
    void refusesToAttachTwice() throws Exception {
        SSLContext context = SipTlsContexts.client(new InMemoryAssociations());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BcjsseSessionBridge
                .forInstalledBctls().attach(context.getClientSessionContext(), NO_SAS));
        assertTrue(e.getMessage().contains("already attached"), e.getMessage());
    }

    @Test
    void refusesSessionContextsOfOtherProviders() throws Exception {
        SSLContext sunJsse = SSLContext.getInstance("TLS", "SunJSSE");
        sunJsse.init(null, null, null);
        assertThrows(IllegalArgumentException.class, () -> BcjsseSessionBridge.forInstalledBctls()
                .attach(sunJsse.getServerSessionContext(), NO_SAS));
    }

    @Test
    void serverSessionContextShowsTheAssociationsSessionById() throws Exception {
        Associations content = Associations.fresh();
        InMemoryAssociations agent = new InMemoryAssociations().serving(content.forServerAt(443));
        SSLContext context = SipTlsContexts.server(agent, TestPki.keyManager(TestPki.SERVER));

        javax.net.ssl.SSLSession session = context.getServerSessionContext().getSession(content.sessionId());

        assertTrue(session.isValid());
        assertEquals(Associations.SUITE, session.getCipherSuite());
        assertEquals(TestPki.SERVER.certificate(), session.getLocalCertificates()[0]);
    }

    @Test
    void readsTheVersionFromBctlsOwnManifest() throws IOException {
        assertEquals(Optional.of("1.84.0"), versionIn(manifest("bctls", "1.84.0"), null));
    }

    /** sip-tls.jar: the CLI's manifest (no bundle), and the pom.properties its build writes for bctls. */
    @Test
    void readsTheVersionOfAShadedJarFromThePomPropertiesItsBuildWrites() throws IOException {
        assertEquals(Optional.of("1.84"), versionIn(manifest(null, null), "version=1.84\n"));
    }

    @Test
    void neverTakesAnotherBundlesVersionForBctls() throws IOException {
        assertEquals(Optional.of("1.84"), versionIn(manifest("dev.siptls.cli", "0.1.0"), "version=1.84\n"));
        assertEquals(Optional.empty(), versionIn(manifest("dev.siptls.cli", "0.1.0"), null));
    }

    private Optional<String> versionIn(Manifest manifest, String pomProperties) throws IOException {
        Path jar = Files.createTempFile(dir, "bctls", ".jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("org/bouncycastle/jsse/provider/BouncyCastleJsseProvider.class"));
            out.closeEntry();
            if (pomProperties != null) {
                out.putNextEntry(new JarEntry(BcjsseSessionBridge.BCTLS_POM_PROPERTIES));
                out.write(pomProperties.getBytes(StandardCharsets.ISO_8859_1));
                out.closeEntry();
            }
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            return BcjsseSessionBridge.versionIn(file);
        }
    }

    private static Manifest manifest(String bundle, String version) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bundle != null) {
            manifest.getMainAttributes().putValue("Bundle-SymbolicName", bundle);
            manifest.getMainAttributes().putValue("Bundle-Version", version);
        }
        return manifest;
    }
}
