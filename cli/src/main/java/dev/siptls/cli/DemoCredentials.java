package dev.siptls.cli;

import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The credentials a local demo needs, kept in one directory: a demo CA, a trust store holding it, the key
 * server's identity (localhost, 127.0.0.1), agent identities proving sample AORs and one TLS server
 * identity. Created on first use, loaded afterwards; every key store shares one random password, kept in
 * the file {@code password} next to them (owner-only where the file system allows).
 */
final class DemoCredentials {

    static final List<String> DEFAULT_AGENTS = List.of("sip:alice@example.com", "sip:bob@example.com");
    static final String TLS_SERVER_HOST = "www.example.com";

    private final Path directory;
    private final char[] password;
    private final boolean created;
    private final Map<String, Path> agents;

    private DemoCredentials(Path directory, char[] password, boolean created, Map<String, Path> agents) {
        this.directory = directory;
        this.password = password;
        this.created = created;
        this.agents = agents;
    }

    /** Loads the credentials in {@code directory}, creating whatever is missing. */
    static DemoCredentials ensure(Path directory, List<String> agentAors) throws IOException, GeneralSecurityException {
        Files.createDirectories(directory);
        Path passwordFile = directory.resolve("password");
        boolean created = !Files.exists(passwordFile);
        char[] password;
        if (created) {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            password = Base64.getUrlEncoder().withoutPadding().encodeToString(random).toCharArray();
            Files.writeString(passwordFile, new String(password) + System.lineSeparator(), StandardCharsets.US_ASCII);
            ownerOnly(passwordFile);
        } else {
            password = Files.readString(passwordFile, StandardCharsets.US_ASCII).strip().toCharArray();
        }
        Path caFile = directory.resolve("ca.p12");
        CertificateAuthority ca;
        if (Files.exists(caFile)) {
            ca = CertificateAuthority.load(caFile, password);
        } else {
            ca = CertificateAuthority.create("SIP-TLS Demo CA");
            ca.save(caFile, password);
            ownerOnly(caFile);
        }
        DemoCredentials demo = new DemoCredentials(directory, password, created, new LinkedHashMap<>());
        if (!Files.exists(demo.trustStore())) {
            CertificateAuthority.write(ca.trustStore(), demo.trustStore(), password);
        }
        demo.issueIfMissing(ca, demo.keyServer(), "keyserver", List.of("localhost", "127.0.0.1"));
        demo.issueIfMissing(ca, demo.tlsServer(), TLS_SERVER_HOST, List.of(TLS_SERVER_HOST, "localhost", "127.0.0.1"));
        for (String aor : agentAors) {
            Path file = directory.resolve(fileName(aor) + ".p12");
            demo.issueIfMissing(ca, file, aor, List.of(aor));
            demo.agents.put(aor, file);
        }
        return demo;
    }

    private void issueIfMissing(CertificateAuthority ca, Path file, String commonName, List<String> names)
            throws IOException, GeneralSecurityException {
        if (!Files.exists(file)) {
            KeyStore store = ca.issue(commonName, names, CertificateAuthority.KeyType.EC_P256, password);
            CertificateAuthority.write(store, file, password);
            ownerOnly(file);
        }
    }

    /** {@code sip:alice@example.com} becomes {@code alice@example.com}. */
    static String fileName(String aor) {
        String s = aor.replaceFirst("^(?i)sips?:", "");
        return s.replaceAll("[^A-Za-z0-9@._-]", "_");
    }

    private static void ownerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: the directory's own protection applies.
        }
    }

    /** The key server's identity from these files. */
    TlsIdentity keyServerIdentity() throws IOException, GeneralSecurityException {
        return TlsIdentity.fromPkcs12(keyServer(), password, trustStore(), password);
    }

    Path directory() { return directory; }
    Path trustStore() { return directory.resolve("truststore.p12"); }
    Path keyServer() { return directory.resolve("keyserver.p12"); }
    Path tlsServer() { return directory.resolve(TLS_SERVER_HOST + ".p12"); }
    Path ca() { return directory.resolve("ca.p12"); }
    Path passwordFile() { return directory.resolve("password"); }
    /** A copy: the caller zeroes it. */
    char[] password() { return password.clone(); }
    boolean created() { return created; }
    /** AOR to its key store, in the order given. */
    Map<String, Path> agents() { return Map.copyOf(agents); }
    List<String> agentAors() { return new ArrayList<>(agents.keySet()); }
}
