package dev.siptls.cli;

import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;

/**
 * PKCS#12 files as the command line loads them: one that cannot be used is a {@link UserError} naming the file,
 * why (missing, empty, damaged, wrong password) and what to do, never the key store parser's own words alone.
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
}
