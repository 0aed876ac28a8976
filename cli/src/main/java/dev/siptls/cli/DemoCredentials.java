package dev.siptls.cli;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateNames;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The credentials a local demo needs, kept in one directory: a demo CA, a trust store holding it, the key
 * server's identity (127.0.0.1), agent identities proving sample AORs and one TLS server identity
 * ({@value #TLS_SERVER_HOST}, localhost). Created on first use, loaded afterwards.
 *
 * <p>One CA issues all three roles, and an agent takes as key server any certificate from it that carries the
 * key server's name. So the key server's certificate names only the address agents check ({@code keyServer=}
 * 127.0.0.1, as {@code sip-tls enroll} writes it), and no TLS server certificate from this CA names it:
 * the demo TLS server's does not, and {@code enroll --serve} refuses it ({@link Enrolment}).
 *
 * <p>Two secrets: the deployers' password (file {@code password}) opens the trust store and every identity
 * and is printed for whoever sets up agents; the CA's key store {@code ca.p12} opens only with its own
 * password (file {@code ca-password}), so that printing the first never hands out the power to issue
 * identities. The directory is created owner-only, every file is created owner-only (on POSIX file systems;
 * elsewhere files inherit the directory's protection) and written whole to a temporary file before it is
 * moved into place, so a crash or a full disk leaves either the complete file or none.
 *
 * <p>Either all of the shared files are there or none: a directory holding only some of them is refused
 * rather than completed with new secrets that would not fit the rest. Agent identities for AORs added to
 * the configuration later are issued from the existing CA.
 */
final class DemoCredentials {

    static final List<String> DEFAULT_AGENTS = List.of("sip:alice@example.com", "sip:bob@example.com");
    static final String TLS_SERVER_HOST = "www.example.com";
    /** What the key server's certificate names: what enrolled agents check, nothing a TLS server is given. */
    static final List<String> KEY_SERVER_NAMES = List.of("127.0.0.1");
    private static final List<String> TLS_SERVER_NAMES = List.of(TLS_SERVER_HOST, "localhost");

    static final String PASSWORD = "password";
    static final String CA_PASSWORD = "ca-password";
    static final String CA = "ca.p12";
    static final String TRUST_STORE = "truststore.p12";
    static final String KEY_SERVER = "keyserver.p12";
    static final String TLS_SERVER = TLS_SERVER_HOST + ".p12";
    /** Every file but the agents' identities, in the order they are created. */
    private static final List<String> SHARED = List.of(PASSWORD, CA_PASSWORD, CA, TRUST_STORE, KEY_SERVER, TLS_SERVER);

    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** subjectAltName types (RFC 5280, GeneralName). */
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    /** Demo credentials that cannot be used as found; the message says in one line what to do. */
    static final class RefusedException extends UserError {
        RefusedException(String message) {
            super(message);
        }

        RefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Path directory;
    private final char[] password;
    private final boolean created;
    private final Map<String, Path> agents = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<Path> issued = new ArrayList<>();

    private DemoCredentials(Path directory, char[] password, boolean created) {
        this.directory = directory;
        this.password = password;
        this.created = created;
    }

    /**
     * Loads the credentials in {@code directory}, creating all of them if it holds none and issuing identities
     * for AORs that have none yet.
     *
     * @throws RefusedException if some of the shared files are missing, or the CA key opens with the
     *         deployers' password (the layout of earlier releases)
     */
    static DemoCredentials ensure(Path directory, List<String> agentAors) throws IOException, GeneralSecurityException {
        List<String> warnings = new ArrayList<>();
        if (Files.isDirectory(directory)) {
            warnIfOthersMayEnter(directory, warnings);
        } else {
            createOwnerOnlyDirectory(directory);
        }
        List<String> missing = SHARED.stream().filter(name -> !Files.exists(directory.resolve(name))).toList();
        DemoCredentials demo;
        CertificateAuthority ca = null;
        if (missing.size() == SHARED.size()) {
            refuseStrayIdentities(directory, agentAors);
            demo = new DemoCredentials(directory, newSecret(), true);
            try {
                ca = demo.createShared();
            } catch (UserError e) {
                throw new UserError(e.getMessage() + "; then move " + directory + " away, it holds only part of the"
                        + " demo credentials", e);
            }
        } else if (!missing.isEmpty()) {
            throw refusal(directory, missing);
        } else {
            demo = new DemoCredentials(directory, readSecret(directory.resolve(PASSWORD)), false);
        }
        demo.warnings.addAll(warnings);
        demo.issueAgents(agentAors, ca);
        return demo;
    }

    /** Creates every shared file; returns the new CA to issue the agents' identities. */
    private CertificateAuthority createShared() throws IOException, GeneralSecurityException {
        char[] caPassword = newSecret();
        try {
            writeSecret(directory.resolve(PASSWORD), password);
            writeSecret(directory.resolve(CA_PASSWORD), caPassword);
            // named apart from other data directories' demo CAs: a trust store from another one says so by its name
            CertificateAuthority ca = CertificateAuthority.createIdentified("SIP-TLS Demo CA");
            writeKeyStore(ca.keyStore(caPassword), directory.resolve(CA), caPassword);
            writeKeyStore(ca.trustStore(), trustStore(), password);
            issue(ca, keyServer(), "keyserver", KEY_SERVER_NAMES);
            issue(ca, tlsServer(), TLS_SERVER_HOST, TLS_SERVER_NAMES);
            return ca;
        } finally {
            Arrays.fill(caPassword, '\0');
        }
    }

    /** Issues identities for the AORs that have none; without {@code ca}, its key is read only if needed. */
    private void issueAgents(List<String> agentAors, CertificateAuthority ca)
            throws IOException, GeneralSecurityException {
        for (String aor : agentAors) {
            Path file = directory.resolve(fileName(aor) + ".p12");
            if (!Files.exists(file)) {
                if (ca == null) {
                    ca = loadCa();
                }
                issue(ca, file, aor, List.of(aor));
            } else {
                warnIfUnusable(file);
            }
            agents.put(aor, file);
        }
    }

    /**
     * The demo CA kept in {@code directory}, to issue identities kept elsewhere ({@code sip-tls enroll}); nothing
     * is created.
     *
     * @throws RefusedException if the directory holds no demo CA, or its key does not open
     */
    static CertificateAuthority existingCa(Path directory) throws IOException, GeneralSecurityException {
        if (!Files.exists(directory.resolve(CA)) || !Files.exists(directory.resolve(CA_PASSWORD))) {
            throw new RefusedException("no demo CA in " + directory + ": start `sip-tls server` first (it creates"
                    + " one there), or pass --data-dir naming the directory the key server uses");
        }
        return new DemoCredentials(directory, new char[0], false).loadCa();
    }

    /**
     * The certificate of the key server whose demo credentials are in {@code directory}, read to keep its names off
     * the certificates {@code sip-tls enroll} issues from the same CA.
     *
     * @throws UserError if it cannot be read
     */
    static X509Certificate existingKeyServerCertificate(Path directory) throws IOException {
        char[] password = readSecret(directory.resolve(PASSWORD));
        try {
            return new DemoCredentials(directory, password, false).certificate(directory.resolve(KEY_SERVER),
                    "key server key store");
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** The hosts (dNSNames and IP addresses) a certificate in these files names. */
    List<String> hosts(Path file, String what) {
        X509Certificate certificate = certificate(file, what);
        List<String> hosts = new ArrayList<>(CertificateNames.names(certificate, DNS_NAME));
        hosts.addAll(CertificateNames.names(certificate, IP_ADDRESS));
        return hosts;
    }

    private X509Certificate certificate(Path file, String what) {
        KeyStore store = KeyStoreFiles.load(file, password, what, passwordFile().toString(), restoreOrStartAfresh());
        try {
            for (String alias : java.util.Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate c) {
                    return c;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new UserError(what + " " + file + " cannot be used: " + e.getMessage() + "; "
                    + restoreOrStartAfresh(), e);
        }
        throw new UserError(what + " " + file + " holds no key; " + restoreOrStartAfresh());
    }

    /** An agent's key store the key server does not need, but its agent does: said, and how to get a new one. */
    private void warnIfUnusable(Path file) {
        try {
            KeyStoreFiles.load(file, password, "agent key store", passwordFile().toString(), "delete it and start"
                    + " again to have a new one issued by the demo CA");
        } catch (UserError e) {
            warnings.add("warning: " + e.getMessage());
        }
    }

    /** What to do about a shared file that cannot be used. */
    private String restoreOrStartAfresh() {
        return "restore it from a backup, or move " + directory + " away to create new demo credentials (agents then"
                + " need the new trust store and key stores)";
    }

    private CertificateAuthority loadCa() throws IOException, GeneralSecurityException {
        char[] caPassword = readSecret(directory.resolve(CA_PASSWORD));
        try {
            if (Files.size(ca()) == 0) {
                throw new RefusedException("demo CA key store " + ca() + " is empty (a disk that was full when it was"
                        + " written?); " + restoreOrStartAfresh());
            }
            return CertificateAuthority.load(ca(), caPassword);
        } catch (IOException e) {
            if (!(e.getCause() instanceof UnrecoverableKeyException)) {
                throw new RefusedException("demo CA key store " + ca() + " is not a readable PKCS#12 key store"
                        + " (damaged: " + e.getMessage() + "); " + restoreOrStartAfresh(), e);
            }
            throw new RefusedException(ca() + " does not open with the password in " + caPasswordFile()
                    + "; restore both from a backup, or move " + directory + " away to create new demo credentials");
        } finally {
            Arrays.fill(caPassword, '\0');
        }
    }

    private void issue(CertificateAuthority ca, Path file, String commonName, List<String> names)
            throws IOException, GeneralSecurityException {
        KeyStore store = ca.issue(commonName, names, CertificateAuthority.KeyType.EC_P256, password);
        writeKeyStore(store, file, password);
        issued.add(file);
    }

    /** Why a directory holding only some of the shared files is not completed, and what to do. */
    private static RefusedException refusal(Path directory, List<String> missing) {
        if (missing.contains(CA_PASSWORD) && !missing.contains(CA) && !missing.contains(PASSWORD)
                && caOpensWithDeployersPassword(directory)) {
            return new RefusedException(directory + " holds demo credentials of an earlier release, whose demo CA key ("
                    + CA + ") opens with the printed password: move " + directory + " away to create new ones,"
                    + " then give agents the new trust store and key stores");
        }
        boolean one = missing.size() == 1;
        return new RefusedException("incomplete demo credentials in " + directory + ": " + String.join(", ", missing)
                + (one ? " is" : " are") + " missing; restore " + (one ? "it" : "them") + " from a backup, or move "
                + directory + " away to create new demo credentials (new secrets would not fit the files left)");
    }

    private static boolean caOpensWithDeployersPassword(Path directory) {
        char[] password = null;
        try {
            password = readSecret(directory.resolve(PASSWORD));
            CertificateAuthority.load(directory.resolve(CA), password);
            return true;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return false;
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    /** Identities left without the CA and secrets they belong to would be overwritten by new ones: refused. */
    private static void refuseStrayIdentities(Path directory, List<String> agentAors) throws RefusedException {
        for (String aor : agentAors) {
            Path file = directory.resolve(fileName(aor) + ".p12");
            if (Files.exists(file)) {
                throw new RefusedException("incomplete demo credentials: " + file + " is there but "
                        + directory.resolve(PASSWORD) + " and the demo CA are missing; move " + directory
                        + " away to create new demo credentials");
            }
        }
    }

    /** {@code sip:alice@example.com} becomes {@code alice@example.com}. */
    static String fileName(String aor) {
        String s = aor.replaceFirst("^(?i)sips?:", "");
        return s.replaceAll("[^A-Za-z0-9@._-]", "_");
    }

    static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Owner-only from its creation on; parents the user did not have are created as usual. */
    static void createOwnerOnlyDirectory(Path directory) throws IOException {
        Path parent = directory.getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (posix(directory)) {
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            } else {
                Files.createDirectory(directory);
            }
        } catch (FileAlreadyExistsException e) {
            Path file = Path.of(e.getFile());
            throw new UserError("cannot create the data directory " + directory + ": " + file
                    + " is a file, not a directory; pick another --data-dir", e);
        } catch (FileSystemException e) {
            throw new UserError("cannot create the data directory " + directory + ": " + KeyStoreFiles.reason(e)
                    + (e.getFile() != null && !Path.of(e.getFile()).equals(directory) ? " (" + e.getFile() + ")" : "")
                    + "; pick a writable --data-dir", e);
        }
    }

    private static void warnIfOthersMayEnter(Path directory, List<String> warnings) throws IOException {
        if (!posix(directory)) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
        if (!OWNER_ONLY_DIRECTORY.containsAll(permissions)) {
            warnings.add("warning: " + directory + " is open to other users (" + PosixFilePermissions.toString(permissions)
                    + "); chmod 700 it to keep the demo credentials private");
        }
    }

    static char[] newSecret() {
        byte[] random = new byte[18];
        RANDOM.nextBytes(random);
        char[] secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random).toCharArray();
        Arrays.fill(random, (byte) 0);
        return secret;
    }

    private static char[] readSecret(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip().toCharArray();
        } catch (FileSystemException e) {
            throw new UserError("cannot read " + file + ": " + KeyStoreFiles.reason(e), e);
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage() + "; it should hold one line of"
                    + " letters and digits", e);
        }
    }

    static void writeSecret(Path file, char[] secret) throws IOException, GeneralSecurityException {
        CharBuffer line = CharBuffer.allocate(secret.length + System.lineSeparator().length());
        line.put(secret).put(System.lineSeparator()).flip();
        ByteBuffer bytes = StandardCharsets.US_ASCII.encode(line);
        try {
            writeAtomically(file, out -> out.write(bytes.array(), 0, bytes.limit()));
        } finally {
            Arrays.fill(line.array(), '\0');
            Arrays.fill(bytes.array(), (byte) 0);
        }
    }

    static void writeKeyStore(KeyStore store, Path file, char[] password)
            throws IOException, GeneralSecurityException {
        writeAtomically(file, out -> store.store(out, password));
    }

    /** What goes into a file. */
    interface Content {
        void writeTo(OutputStream out) throws IOException, GeneralSecurityException;
    }

    /**
     * Writes {@code content} to a new owner-only temporary file in the same directory, forces it to disk and
     * then renames it to {@code file} in one step: whoever looks sees the whole file or none, never a partial
     * one, and never one others may read.
     */
    static void writeAtomically(Path file, Content content) throws IOException, GeneralSecurityException {
        Path temp = file.resolveSibling("." + file.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36)
                + ".tmp");
        FileAttribute<?>[] ownerOnly = posix(file)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                : new FileAttribute<?>[0];
        try {
            try (FileChannel channel = FileChannel.open(temp, EnumSet.of(CREATE_NEW, WRITE), ownerOnly)) {
                OutputStream out = Channels.newOutputStream(channel);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, file, ATOMIC_MOVE);
        } catch (FileSystemException e) {
            throw new UserError("cannot write " + file + ": " + KeyStoreFiles.reason(e) + "; give it room, or pick"
                    + " another --data-dir", e);
        } catch (IOException e) {
            // a full disk or a file size limit: the OS's words, e.g. "No space left on device"
            throw new UserError("cannot write " + file + ": " + e.getMessage() + "; free some space, or pick another"
                    + " --data-dir", e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static final String CLUSTER_CA = "cluster-ca.p12";
    static final String CLUSTER_TRUST_STORE = "cluster-truststore.p12";

    /**
     * A node's identity for the links between the nodes of a demo cluster: issued by a cluster CA of its own, never
     * by the demo CA that issues agents (an agent must not pass for a node). Made on first use, under a lock on the
     * directory, so nodes started together on one machine share one cluster CA.
     */
    TlsIdentity clusterNodeIdentity(String nodeName) throws IOException, GeneralSecurityException {
        Path node = directory.resolve("node-" + nodeName.replaceAll("[^A-Za-z0-9._-]", "_") + ".p12");
        try (FileChannel lock = FileChannel.open(directory.resolve(".cluster.lock"), EnumSet.of(
                java.nio.file.StandardOpenOption.CREATE, WRITE)); var held = lock.lock()) {
            char[] caPassword = readSecret(directory.resolve(CA_PASSWORD));
            try {
                CertificateAuthority ca;
                if (Files.exists(directory.resolve(CLUSTER_CA))) {
                    ca = CertificateAuthority.load(directory.resolve(CLUSTER_CA), caPassword);
                } else {
                    ca = CertificateAuthority.createIdentified("SIP-TLS Demo Cluster CA");
                    writeKeyStore(ca.trustStore(), directory.resolve(CLUSTER_TRUST_STORE), password);
                    writeKeyStore(ca.keyStore(caPassword), directory.resolve(CLUSTER_CA), caPassword);
                }
                if (!Files.exists(node)) {
                    issue(ca, node, nodeName, List.of("localhost", "127.0.0.1"));
                }
            } finally {
                Arrays.fill(caPassword, '\0');
            }
        }
        return KeyStoreFiles.identity(node, password, "node key store", passwordFile().toString(),
                directory.resolve(CLUSTER_TRUST_STORE), password, "cluster trust store", passwordFile().toString(),
                "restore it, or delete the node-*.p12 and cluster-*.p12 files and restart every node of the demo cluster");
    }

    /** The key server's identity from these files. */
    TlsIdentity keyServerIdentity() {
        return KeyStoreFiles.identity(keyServer(), password, "key server key store", passwordFile().toString(),
                trustStore(), password, "trust store", passwordFile().toString(), restoreOrStartAfresh());
    }

    Path directory() { return directory; }
    Path trustStore() { return directory.resolve(TRUST_STORE); }
    Path keyServer() { return directory.resolve(KEY_SERVER); }
    Path tlsServer() { return directory.resolve(TLS_SERVER); }
    /** The demo CA's key store; it opens with the password in {@link #caPasswordFile()} only. */
    Path ca() { return directory.resolve(CA); }
    Path caPasswordFile() { return directory.resolve(CA_PASSWORD); }
    /** The deployers' password, for every file but the CA's. */
    Path passwordFile() { return directory.resolve(PASSWORD); }
    /** A copy of the deployers' password: the caller zeroes it. */
    char[] password() { return password.clone(); }
    boolean created() { return created; }
    /** AOR to its key store, in the order given. */
    Map<String, Path> agents() { return Map.copyOf(agents); }
    List<String> agentAors() { return new ArrayList<>(agents.keySet()); }
    /** Lines for the user about how the directory is protected; empty if nothing is amiss. */
    List<String> warnings() { return List.copyOf(warnings); }
    /** Files issued by this start-up, in order. */
    List<Path> issued() { return List.copyOf(issued); }
}
