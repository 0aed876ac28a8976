package dev.siptls.cli;

import dev.siptls.protocol.HostPort;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One agent's enrolment: the files an application JVM needs to run the SipTls provider, issued by a CA and
 * written into one owner-only directory. Each file is written whole and moved into place (as the demo credentials
 * are), the configuration files last, so an interrupted enrolment leaves no {@code java.security} pointing at
 * stores that are not there. An existing enrolment is replaced only when asked to.
 *
 * <p>One fresh random password opens the agent's and the TLS server's key stores and the trust store. It is in
 * the file {@code password} (for the application's own use of the TLS server key store, and for keytool) and in
 * {@code sip-tls.properties} itself: a provider installed through {@code java.security} reads its password from
 * that file or from an environment variable, and a variable would have to be exported in every shell that starts
 * the application. Both files are owner-only in an owner-only directory, the protection the key stores have.
 */
final class Enrolment {

    static final String PASSWORD = "password";
    static final String AGENT = "agent.p12";
    static final String TRUST_STORE = "truststore.p12";
    static final String TLS_SERVER = "tls-server.p12";
    static final String PROPERTIES = "sip-tls.properties";
    static final String JAVA_SECURITY = "java.security";
    /** Every file of an enrolment, in the order written. */
    static final List<String> FILES = List.of(PASSWORD, AGENT, TRUST_STORE, TLS_SERVER, PROPERTIES, JAVA_SECURITY);

    /** How long {@code SSLContext.init} waits for the agent to register, so first connections need not fall back. */
    static final String AWAIT_REGISTRATION = "10s";

    private static final Pattern AOR = Pattern.compile("(?i)sips?:(?:([^@;?\\s:/]+)@)?([^@;?\\s/]+)");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final int STICKY = 01000;

    /** What to enrol. {@code serve} empty: a TLS client only. */
    record Request(String aor, List<HostPort> serve, String keyServer, Path directory, boolean force) {
        Request {
            serve = List.copyOf(serve);
        }
    }

    /** What was written. */
    record Result(Path directory, List<Path> written, int providerNumber, Path javaSecurity, Path properties,
                  Optional<Path> tlsServer, List<String> warnings) {
    }

    /** An enrolment that cannot be written as asked; the message says in one line what to do. */
    static final class RefusedException extends IOException {
        RefusedException(String message) {
            super(message);
        }
    }

    private Enrolment() {
    }

    /**
     * Checks an AOR and returns the name of its default directory: the user part ({@code sip:web@example.com}
     * gives {@code web}), or the host when it has none.
     *
     * @throws IllegalArgumentException if it is not a sip: or sips: URI of the form [user@]host
     */
    static String defaultDirectoryName(String aor) {
        Matcher m = AOR.matcher(aor);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + aor + "' is not an address of record such as sip:web@example.com");
        }
        String name = m.group(1) != null ? m.group(1) : m.group(2);
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * Issues the identities from {@code ca} and writes the enrolment.
     *
     * @param keyServer the certificate of the key server {@code ca} issued: no served host may be one it names
     * @param dataDir   where the key server keeps {@code ca} and its certificate
     */
    static Result write(CertificateAuthority ca, X509Certificate keyServer, Path dataDir, Request request)
            throws IOException, GeneralSecurityException {
        defaultDirectoryName(request.aor());
        refuseKeyServerNames(keyServer, dataDir, request.serve());
        Path dir = request.directory().toAbsolutePath().normalize();
        List<String> warnings = new ArrayList<>();
        prepareDirectory(dir, request.force(), warnings);
        JavaSecurityFiles jdk = JavaSecurityFiles.runningJdk();
        int number = ProviderEntries.of(jdk.properties()).gap(); // the JDK reads up to the first missing number
        char[] password = DemoCredentials.newSecret();
        List<Path> written = new ArrayList<>();
        try {
            DemoCredentials.writeSecret(dir.resolve(PASSWORD), password);
            written.add(dir.resolve(PASSWORD));
            DemoCredentials.writeKeyStore(ca.issue(request.aor(), List.of(request.aor()),
                    CertificateAuthority.KeyType.EC_P256, password), dir.resolve(AGENT), password);
            written.add(dir.resolve(AGENT));
            DemoCredentials.writeKeyStore(ca.trustStore(), dir.resolve(TRUST_STORE), password);
            written.add(dir.resolve(TRUST_STORE));
            Optional<Path> tlsServer = Optional.empty();
            if (!request.serve().isEmpty()) {
                List<String> hosts = new ArrayList<>(new LinkedHashSet<>(
                        request.serve().stream().map(h -> h.host().toLowerCase(Locale.ROOT)).toList()));
                DemoCredentials.writeKeyStore(ca.issue(hosts.get(0), hosts, CertificateAuthority.KeyType.EC_P256,
                        password), dir.resolve(TLS_SERVER), password);
                tlsServer = Optional.of(dir.resolve(TLS_SERVER));
                written.add(tlsServer.get());
            } else {
                Files.deleteIfExists(dir.resolve(TLS_SERVER)); // a replaced enrolment's, which no longer serves
            }
            writeText(dir.resolve(PROPERTIES), properties(request, password));
            written.add(dir.resolve(PROPERTIES));
            writeText(dir.resolve(JAVA_SECURITY),
                    javaSecurity(number, jdk.jdkFile(), dir.resolve(PROPERTIES), request.aor()));
            written.add(dir.resolve(JAVA_SECURITY));
            return new Result(dir, written, number, dir.resolve(JAVA_SECURITY), dir.resolve(PROPERTIES), tlsServer,
                    warnings);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /**
     * Agents take as key server any certificate from their trust store's CA that carries the key server's name:
     * a TLS server certificate from the same CA naming it would let whoever holds its key play key server.
     */
    private static void refuseKeyServerNames(X509Certificate keyServer, Path dataDir, List<HostPort> serve)
            throws RefusedException {
        for (HostPort served : serve) {
            if (CertificateNames.matchesHost(keyServer, served.host())) {
                boolean demoName = DemoCredentials.KEY_SERVER_NAMES.stream()
                        .anyMatch(name -> name.equalsIgnoreCase(served.host()));
                throw new RefusedException("--serve " + served + ": the key server's certificate in " + dataDir
                        + " names " + served.host() + ", so a TLS server certificate for it would also pass as the"
                        + " key server to every agent; serve another name" + (demoName ? " (e.g. localhost instead of "
                        + served.host() + ")" : ", or move " + dataDir + " away and restart the key server to create"
                        + " new demo credentials, whose key server certificate names only "
                        + String.join(", ", DemoCredentials.KEY_SERVER_NAMES) + " (agents then need the new trust"
                        + " store and key stores)"));
            }
        }
    }

    private static void prepareDirectory(Path dir, boolean force, List<String> warnings) throws IOException {
        refuseOthersMayReplace(dir);
        if (!Files.exists(dir)) {
            DemoCredentials.createOwnerOnlyDirectory(dir);
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new RefusedException(dir + " is a file, not a directory; choose another --out");
        }
        List<String> there = FILES.stream().filter(f -> Files.exists(dir.resolve(f))).toList();
        if (!there.isEmpty() && !force) {
            throw new RefusedException(dir + " already holds an enrolment (" + String.join(", ", there)
                    + "); pass --force to replace it (new keys and password), or choose another --out");
        }
        if (DemoCredentials.posix(dir)) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
            if (!OWNER_ONLY.containsAll(permissions)) {
                warnings.add("warning: " + dir + " is open to other users (" + PosixFilePermissions.toString(permissions)
                        + "); chmod 700 it to keep the enrolment's keys and password private");
            }
        }
    }

    /**
     * Refuses a directory in which other users could swap the enrolment's files for their own (a trust store or a
     * {@code sip-tls.properties} naming their key server): {@code dir} itself writable by them, or, for the
     * directory itself to be swapped, the nearest existing directory above it writable by them without the
     * sticky bit ({@code /tmp} has it: there only a directory's owner may rename it). A group that bears the
     * owner's name is taken to be the owner's private group. POSIX file systems only; elsewhere files inherit
     * the protection of the directory created for them.
     */
    private static void refuseOthersMayReplace(Path dir) throws IOException {
        if (!DemoCredentials.posix(dir)) {
            return;
        }
        if (Files.isDirectory(dir) && othersMayWrite(dir)) {
            throw new RefusedException(dir + " may be written by other users (" + PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir)) + "), who could replace the enrolment's files; chmod 700 it,"
                    + " or choose another --out");
        }
        Path above = dir.getParent();
        while (above != null && !Files.isDirectory(above)) {
            above = above.getParent();
        }
        if (above != null && othersMayWrite(above) && !sticky(above)) {
            throw new RefusedException(above + " may be written by other users (" + PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(above)) + ", no sticky bit), who could replace " + dir
                    + " with their own; choose an --out inside a directory only you may write");
        }
    }

    private static boolean othersMayWrite(Path dir) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class);
        Set<PosixFilePermission> permissions = attributes.permissions();
        boolean privateGroup = attributes.group().getName().equals(attributes.owner().getName());
        return permissions.contains(PosixFilePermission.OTHERS_WRITE)
                || (permissions.contains(PosixFilePermission.GROUP_WRITE) && !privateGroup);
    }

    /** The sticky bit, which {@link PosixFilePermission} does not carry; unknown counts as set, not to refuse /tmp. */
    private static boolean sticky(Path dir) throws IOException {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            return true;
        }
        return ((Integer) Files.getAttribute(dir, "unix:mode") & STICKY) != 0;
    }

    /** The provider's configuration, keys as {@code SipTlsConfiguration} reads them; paths relative to it. */
    private static CharBuffer properties(Request request, char[] password) {
        StringBuilder p = new StringBuilder();
        p.append("# SIP-TLS provider configuration of ").append(request.aor()).append(", written by sip-tls enroll.\n");
        p.append("# Every key: META-INF-templates/sip-tls.properties. Relative paths are resolved against this file's\n");
        p.append("# directory, so the directory may be moved (then write java.security's path anew).\n");
        p.append("aor=").append(escape(request.aor())).append('\n');
        p.append("# The agent's identity towards the key server (subjectAltName URI ").append(request.aor()).append(").\n");
        p.append("keyStore=").append(AGENT).append('\n');
        p.append("# This enrolment's password, as in the file 'password'; this file is owner-only. To keep it out of\n");
        p.append("# the file, write keyStorePassword.env=VARIABLE instead and give the JVM that variable.\n");
        int secretFrom = p.length();
        p.append("keyStorePassword=").append(password).append('\n');
        p.append("trustStore=").append(TRUST_STORE).append('\n');
        p.append("trustStorePassword=").append(password).append('\n');
        int secretTo = p.length();
        p.append("keyServer=").append(escape(request.keyServer())).append('\n');
        if (!request.serve().isEmpty()) {
            p.append("# Served with the certificate of ").append(TLS_SERVER).append(", which names these hosts.\n");
            p.append("serve=").append(String.join(",", request.serve().stream().map(HostPort::toString).toList()))
                    .append('\n');
        }
        p.append("# SSLContext.init waits this long for the agent to register, so that first connections need not\n");
        p.append("# fall back to a full handshake.\n");
        p.append("awaitRegistration=").append(AWAIT_REGISTRATION).append('\n');
        char[] chars = new char[p.length()];
        p.getChars(0, p.length(), chars, 0);
        for (int i = secretFrom; i < secretTo; i++) {
            p.setCharAt(i, '\0');
        }
        return CharBuffer.wrap(chars);
    }

    private static CharBuffer javaSecurity(int number, Path jdkFile, Path properties, String aor) {
        String text = "# Installs the SipTls provider (" + aor + ") in a JVM without touching the JDK:\n"
                + "#   java -Djava.security.properties=" + properties.resolveSibling(JAVA_SECURITY) + " ...\n"
                + "# " + number + " follows the last security.provider.N of the JDK that ran sip-tls enroll (" + jdkFile + ");\n"
                + "# the JDK stops reading at the first missing number, so a gap drops the provider silently.\n"
                + "security.provider." + number + "=SipTls " + escape(properties.toString()) + "\n";
        return CharBuffer.wrap(text);
    }

    /** A properties value: backslashes doubled (Windows paths), a leading blank kept. */
    private static String escape(String value) {
        String s = value.replace("\\", "\\\\");
        return s.startsWith(" ") ? "\\" + s : s;
    }

    private static void writeText(Path file, CharBuffer text) throws IOException, GeneralSecurityException {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(text);
        try {
            DemoCredentials.writeAtomically(file, out -> out.write(bytes.array(), bytes.arrayOffset(), bytes.limit()));
        } finally {
            Arrays.fill(bytes.array(), (byte) 0);
            if (text.hasArray()) {
                Arrays.fill(text.array(), '\0');
            }
        }
    }
}
