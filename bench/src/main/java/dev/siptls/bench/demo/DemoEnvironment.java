package dev.siptls.bench.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/**
 * What every run of the demo shares: the counting ledger, the identities and their files, the terminals'
 * TLS managers, the connection desk, the key server (one for the whole demo, as a deployment has: each
 * run counts what it added to its counters), and how a terminal's SIP-TLS provider is started.
 */
record DemoEnvironment(Ledger ledger, DemoPki pki, TlsContexts contexts, LoopbackDesk desk,
        dev.siptls.server.KeyServer keyServer, SipTlsTerminal.Factory sipTls, Path workDirectory) {

    Path keyStoreFile(int terminal) throws IOException, GeneralSecurityException {
        Path file = workDirectory.resolve("terminal" + terminal + ".p12");
        if (!java.nio.file.Files.exists(file)) {
            pki.writeTerminal(terminal, file);
        }
        return file;
    }

    Path trustStoreFile() throws IOException, GeneralSecurityException {
        Path file = workDirectory.resolve("trust.p12");
        if (!java.nio.file.Files.exists(file)) {
            pki.writeTrustStore(file);
        }
        return file;
    }
}
