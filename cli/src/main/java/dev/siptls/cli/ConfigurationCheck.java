package dev.siptls.cli;

import dev.siptls.provider.SipTlsConfiguration;
import dev.siptls.sip.TlsIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Part 2 of {@code sip-tls check}: the sip-tls.properties file, read and validated by the provider's own
 * {@link SipTlsConfiguration} (which stops at the first mistake and names the file and key), then what it
 * loaded: the agent's key and certificate, how long it is valid, and the trust store.
 */
final class ConfigurationCheck {

    /** A certificate ending sooner than this is worth a warning. */
    private static final Duration SOON = Duration.ofDays(30);

    private final CheckReport report;

    ConfigurationCheck(CheckReport report) {
        this.report = report;
    }

    /** The configuration, if valid. */
    Optional<SipTlsConfiguration> run(Path file, Instant now) {
        if (!Files.isRegularFile(file)) {
            report.fail("sip-tls.properties " + file.toAbsolutePath() + " does not exist",
                    "give its path with --properties FILE, or fix the SipTls line's argument");
            return Optional.empty();
        }
        SipTlsConfiguration config;
        try {
            config = SipTlsConfiguration.load(file);
        } catch (IllegalArgumentException e) {
            report.fail(e.getMessage(), "fix it; every key is explained in dev/siptls/provider/sip-tls.properties"
                    + ".template (in the provider jar)", e);
            return Optional.empty();
        }
        report.ok(file + " is valid: aor " + config.aor() + ", key server " + config.describeKeyServers()
                + (config.serve().isEmpty() ? "" : ", serves " + config.serve()));
        identity(config.identity(), config.aor(), now);
        trust(config.identity());
        return Optional.of(config);
    }

    private void identity(TlsIdentity identity, String aor, Instant now) {
        X509Certificate cert = identity.certificate();
        String who = "key store: one key, certificate " + cert.getSubjectX500Principal().getName() + " proves " + aor;
        Date from = cert.getNotBefore();
        Date until = cert.getNotAfter();
        if (now.isBefore(from.toInstant())) {
            report.fail(who + ", but is valid only from " + from.toInstant(), "check the clock, or issue a new one");
        } else if (now.isAfter(until.toInstant())) {
            report.fail(who + ", but expired at " + until.toInstant(), "issue a new one from the key server's CA");
        } else {
            report.ok(who + ", valid until " + until.toInstant());
            if (now.plus(SOON).isAfter(until.toInstant())) {
                report.warn("the agent's certificate expires at " + until.toInstant(), "issue a new one soon");
            }
        }
    }

    private void trust(TlsIdentity identity) {
        try {
            KeyStore store = identity.trustStore();
            List<String> anchors = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isCertificateEntry(alias) && store.getCertificate(alias) instanceof X509Certificate c) {
                    anchors.add(c.getSubjectX500Principal().getName());
                }
            }
            if (anchors.isEmpty()) {
                report.fail("trust store holds no CA certificate: no key server can be trusted",
                        "put the CA that issued the key server's certificate in it");
            } else {
                report.ok("trust store: " + anchors.size() + (anchors.size() == 1 ? " CA: " : " CAs: ")
                        + String.join("; ", anchors));
            }
        } catch (GeneralSecurityException e) {
            report.fail("trust store unreadable: " + e.getMessage(), "check trustStore and its password", e);
        }
    }
}
