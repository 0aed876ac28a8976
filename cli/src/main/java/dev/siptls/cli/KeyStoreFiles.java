package dev.siptls.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * An application's key and trust managers from PKCS#12 files, the way any JSSE application makes them, with the
 * password read from a file (never on the command line, where ps shows it).
 */
final class KeyStoreFiles {

    private KeyStoreFiles() {
    }

    /** The file {@code password} beside {@code store}, as sip-tls enroll writes it. */
    static Path defaultPasswordFile(Path store) {
        return store.toAbsolutePath().resolveSibling(Enrolment.PASSWORD);
    }

    /** @throws IllegalArgumentException naming the file that is missing or does not open */
    static KeyManager[] keyManagers(Path store, Path passwordFile) {
        char[] password = readPassword(passwordFile);
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(load(store, password, passwordFile), password);
            return factory.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the key in " + store + " (" + e.getMessage() + ")");
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** @throws IllegalArgumentException naming the file that is missing or does not open */
    static TrustManager[] trustManagers(Path store, Path passwordFile) {
        char[] password = readPassword(passwordFile);
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(load(store, password, passwordFile));
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the trust store " + store + " (" + e.getMessage() + ")");
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static char[] readPassword(Path passwordFile) {
        try {
            return Files.readString(passwordFile, StandardCharsets.US_ASCII).strip().toCharArray();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("password file " + passwordFile + " does not exist (--password-file)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read password file " + passwordFile + " (" + e.getMessage() + ")");
        }
    }

    private static KeyStore load(Path store, char[] password, Path passwordFile) {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, password);
            return keyStore;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(store + " does not exist");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot open " + store + " with the password in " + passwordFile
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
