package dev.siptls.bench.demo;

import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateAuthority.KeyType;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The demo's identities, issued afresh by a throw-away CA on every run: one for the key server
 * (localhost, 127.0.0.1) and one per terminal. A terminal's certificate proves its SIP AOR (URI
 * {@code sip:terminalN@siptls.demo}) and names its TLS host ({@code terminalN.siptls.demo}), so the same
 * key serves the terminal's SIP registration and its TLS server and client, as in the paper, where
 * the TLS peer itself is what the SIP server authenticates. Terminal keys are RSA-2048, the classic TLS
 * server key. Files are written only where a provider configuration needs them.
 */
final class DemoPki {

    static final String DOMAIN = "siptls.demo";
    private static final String PASSWORD = "sip-tls-demo";

    private final CertificateAuthority ca;
    private final TlsIdentity keyServer;
    private final List<KeyStore> terminals = new ArrayList<>();

    private DemoPki(CertificateAuthority ca, TlsIdentity keyServer) {
        this.ca = ca;
        this.keyServer = keyServer;
    }

    static DemoPki create() throws GeneralSecurityException {
        CertificateAuthority ca = CertificateAuthority.create("SIP-TLS demo CA");
        KeyStore ks = ca.issue("keyserver", List.of("localhost", "127.0.0.1"), KeyType.EC_P256, password());
        return new DemoPki(ca, TlsIdentity.of(ks, password(), ca.trustStore()));
    }

    static char[] password() {
        return PASSWORD.toCharArray();
    }

    /** The password of every demo key store, for provider configuration files. */
    static String passwordText() {
        return PASSWORD;
    }

    static String aor(int terminal) {
        return "sip:terminal" + terminal + "@" + DOMAIN;
    }

    static String host(int terminal) {
        return "terminal" + terminal + "." + DOMAIN;
    }

    TlsIdentity keyServer() {
        return keyServer;
    }

    KeyStore trustStore() throws GeneralSecurityException {
        return ca.trustStore();
    }

    /** Terminal {@code number}'s key store (numbered from 1), issued on first use. */
    synchronized KeyStore terminal(int number) throws GeneralSecurityException {
        while (terminals.size() < number) {
            terminals.add(issue(terminals.size() + 1));
        }
        return terminals.get(number - 1);
    }

    /**
     * Issues terminals 1..{@code count} now, generating the RSA keys on all cores (two threads of its own,
     * stopped before it returns): a dozen RSA-2048 key pairs take seconds.
     */
    synchronized void issueTerminals(int count) throws GeneralSecurityException, InterruptedException {
        int from = terminals.size() + 1;
        if (count < from) {
            return;
        }
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), count - from + 1));
        ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
            Thread t = new Thread(task, "sip-tls-demo-keygen");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<KeyStore>> issued = new ArrayList<>();
            for (int t = from; t <= count; t++) {
                int number = t;
                issued.add(pool.submit(() -> issue(number)));
            }
            for (Future<KeyStore> store : issued) {
                terminals.add(store.get());
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof GeneralSecurityException g ? g
                    : new GeneralSecurityException("cannot issue terminal identities", e.getCause());
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private KeyStore issue(int number) throws GeneralSecurityException {
        return ca.issue("terminal" + number, List.of(aor(number), host(number)), KeyType.RSA_2048, password());
    }

    /** Writes terminal {@code number}'s key store as PKCS#12 to {@code file}. */
    void writeTerminal(int number, Path file) throws IOException, GeneralSecurityException {
        CertificateAuthority.write(terminal(number), file, password());
    }

    void writeTrustStore(Path file) throws IOException, GeneralSecurityException {
        CertificateAuthority.write(ca.trustStore(), file, password());
    }
}
