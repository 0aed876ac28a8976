package dev.siptls.cli;

import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Arrays;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * PKCS#12 files as the command line loads them: one that cannot be used is a {@link UserError} naming the file,
 * why (missing, empty, damaged, wrong password) and what to do, never the key store parser's own words alone.
 * An application's key and trust managers come from here too, the way any JSSE application makes them, with the
 * password read from a file (never on the command line, where ps shows it).
 */
final class KeyStoreFiles {

    private KeyStoreFiles() {
    }

    /**
     * Loads {@code file}.
     *
     * @param what         what the file is, e.g. {@code keystore} (a configuration key) or {@code the trust store}
     * @param passwordFrom where the password comes from, e.g. {@code keystore.password}
     * @param remedy       what to do if the file cannot be used
     */
    static KeyStore load(Path file, char[] password, String what, String passwordFrom, String remedy) {
        String named = what + " " + file;
        if (!Files.exists(file)) {
            throw new UserError(named + " does not exist; " + remedy);
        }
        try {
            if (Files.isRegularFile(file) && Files.size(file) == 0) {
                throw new UserError(named + " is empty (a disk that was full when it was written?); " + remedy);
            }
            return TlsIdentity.load(file, password);
        } catch (FileSystemException e) {
            throw new UserError("cannot read " + named + ": " + reason(e) + "; " + remedy, e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new UserError(named + " does not open with the password in " + passwordFrom + "; " + remedy, e);
            }
            throw new UserError(named + " is not a readable PKCS#12 key store (damaged: " + e.getMessage() + "); "
                    + remedy, e);
        } catch (GeneralSecurityException e) {
            throw new UserError(named + " cannot be used: " + e.getMessage() + "; " + remedy, e);
        }
    }

    /** An identity from a key store and a trust store, each loaded as {@link #load} does. */
    static TlsIdentity identity(Path keyStore, char[] password, String keyStoreWhat, String passwordFrom,
            Path trustStore, char[] trustPassword, String trustStoreWhat, String trustPasswordFrom, String remedy) {
        KeyStore keys = load(keyStore, password, keyStoreWhat, passwordFrom, remedy);
        KeyStore trust = load(trustStore, trustPassword, trustStoreWhat, trustPasswordFrom, remedy);
        try {
            return TlsIdentity.of(keys, password, trust);
        } catch (GeneralSecurityException e) {
            throw new UserError(keyStoreWhat + " " + keyStore + " cannot be used: " + e.getMessage() + "; " + remedy, e);
        }
    }

    /** The operating system's reason, e.g. {@code Permission denied}, or the exception's kind if it gave none. */
    static String reason(FileSystemException e) {
        if (e.getReason() != null) {
            return e.getReason();
        }
        String kind = e.getClass().getSimpleName().replace("Exception", "");
        return switch (kind) {
            case "NoSuchFile" -> "no such file";
            case "AccessDenied" -> "permission denied";
            case "FileAlreadyExists" -> "exists already";
            case "NotDirectory" -> "not a directory";
            case "DirectoryNotEmpty" -> "directory not empty";
            default -> kind;
        };
    }

    /** The file {@code password} beside {@code store}, as sip-tls enroll writes it. */
    static Path defaultPasswordFile(Path store) {
        return store.toAbsolutePath().resolveSibling(Enrolment.PASSWORD);
    }

    static KeyManager[] keyManagers(Path store, Path passwordFile) {
        char[] password = readPassword(passwordFile);
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(load(store, password, "the key store", passwordFile.toString(), FIX_STORE), password);
            return factory.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new UserError("cannot use the key in " + store + ": " + e.getMessage() + "; " + FIX_STORE, e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    static TrustManager[] trustManagers(Path store, Path passwordFile) {
        char[] password = readPassword(passwordFile);
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(load(store, password, "the trust store", passwordFile.toString(), FIX_STORE));
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new UserError("cannot use the trust store " + store + ": " + e.getMessage() + "; " + FIX_STORE, e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static final String FIX_STORE = "name the files sip-tls enroll wrote (--password-file for the password)";

    private static char[] readPassword(Path passwordFile) {
        try {
            return Files.readString(passwordFile, StandardCharsets.US_ASCII).strip().toCharArray();
        } catch (FileSystemException e) {
            throw new UserError("cannot read the password file " + passwordFile + ": " + reason(e)
                    + "; name it with --password-file", e);
        } catch (IOException e) {
            throw new UserError("cannot read the password file " + passwordFile + ": " + e.getMessage(), e);
        }
    }
}
