package dev.siptls.bench.demo;

import dev.siptls.protocol.HostPort;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.SipTlsProviderMXBean;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Properties;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * A terminal's own {@link SipTlsProvider} instance, configured the way a deployer would: a
 * {@code sip-tls.properties} file in the terminal's directory, passed to {@code configure}. Its agent starts
 * at the first {@code SSLContext.init} of one of its contexts, with the chain of the key managers given there.
 */
final class ProviderTerminal implements SipTlsTerminal {

    private final SipTlsProvider provider;

    private ProviderTerminal(SipTlsProvider provider) {
        this.provider = provider;
    }

    static ProviderTerminal configure(TerminalSpec spec) throws IOException {
        Files.createDirectories(spec.directory());
        Properties p = new Properties();
        p.setProperty("aor", spec.aor());
        p.setProperty("keyStore", spec.keyStore().toAbsolutePath().toString());
        p.setProperty("keyStorePassword", DemoPki.passwordText());
        p.setProperty("trustStore", spec.trustStore().toAbsolutePath().toString());
        p.setProperty("trustStorePassword", DemoPki.passwordText());
        p.setProperty("keyServer", spec.keyServer().getAddress().getHostAddress() + ":" + spec.keyServer().getPort());
        p.setProperty("keyServerName", spec.keyServerName());
        if (!spec.serves().isEmpty()) {
            p.setProperty("serve", spec.serves().stream().map(HostPort::toString).collect(Collectors.joining(",")));
        }
        if (!spec.protocols().isEmpty()) {
            p.setProperty("protocols", String.join(",", spec.protocols()));
        }
        p.setProperty("requestTimeout", "5s");
        p.setProperty("fallback", "full");
        Path file = spec.directory().resolve("sip-tls.properties");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "SIP-TLS demo, terminal " + spec.number());
        }
        return new ProviderTerminal((SipTlsProvider) new SipTlsProvider().configure(file.toString()));
    }

    @Override
    public SSLContext context(KeyManager[] keys, TrustManager[] trust) throws GeneralSecurityException {
        SSLContext context;
        try {
            context = SSLContext.getInstance(SipTlsProvider.PROTOCOL, provider);
        } catch (NoSuchAlgorithmException e) {
            throw new GeneralSecurityException("the SipTls provider offers no SSLContext SIP-TLS", e);
        }
        // A JDK SecureRandom: with none, BCJSSE seeds a Bouncy Castle DRBG whose entropy thread outlives the run.
        context.init(keys, trust, new SecureRandom());
        return context;
    }

    @Override
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        try {
            provider.assertHealthy(timeout);
            return true;
        } catch (IllegalStateException notHealthy) {
            return false;
        }
    }

    @Override
    public String status() {
        return String.join("; ", provider.health().problems());
    }

    @Override
    public AgentCounts counts() {
        SipTlsProviderMXBean s = provider.statistics();
        return new AgentCounts(s.getAgentRegistrations(), s.getAssociationRequests(),
                s.getAssociationRequestLatencyCount(), s.getAssociationsAcceptedAsServer(),
                s.getSipResumptionsAsClient() + s.getSipResumptionsAsServer(),
                s.getFullHandshakesAsClient() + s.getFullHandshakesAsServer(),
                s.getSipTls13HandshakesAsClient() + s.getSipTls13HandshakesAsServer());
    }

    @Override
    public void close() {
        provider.close();
    }
}
