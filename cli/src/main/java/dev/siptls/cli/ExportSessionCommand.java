package dev.siptls.cli;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.CipherSuites;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.OpenSslSession;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.provider.SipTlsConfiguration;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sip-tls export-session}: obtains an SA for a TLS server as the configured client agent and writes it
 * as an OpenSSL session, so that any TLS 1.2 implementation that loads sessions can be the SIP-TLS client:
 * {@code openssl s_client -tls1_2 -sess_in sa.pem}.
 */
@Command(name = "export-session", mixinStandardHelpOptions = true,
        description = {"Requests a security association for a TLS server through the key server, as the agent "
                + "of a sip-tls.properties file, and writes it as an OpenSSL SSL_SESSION PEM (owner-only file; "
                + "it holds the master secret)."})
final class ExportSessionCommand implements Callable<Integer> {

    /** Suites OpenSSL also speaks, most preferred first, when the configuration names none. */
    private static final List<String> DEFAULT_SUITES = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the client agent's sip-tls.properties")
    Path config;

    @Option(names = "--target", required = true, paramLabel = "HOST:PORT", description = "the TLS server, as its policy binds it")
    String target;

    @Option(names = "--out", paramLabel = "FILE", description = "where to write the PEM (default ${DEFAULT-VALUE}; never overwritten)")
    Path out = Path.of("sa.pem");

    @Override
    public Integer call() throws Exception {
        SipTlsConfiguration settings = SipTlsConfiguration.load(config);
        HostPort server = HostPort.parse(target);
        List<String> suites = settings.suites().isEmpty() ? DEFAULT_SUITES : settings.suites();
        SecurityPolicy policy = SecurityPolicy.builder().cipherSuites(suites.stream().filter(CipherSuites::isKnown).toList())
                .certificateChain(settings.identity().chain()).build();
        HostPort keyServer = settings.keyServer();
        try (SipTlsAgent agent = SipTlsAgent.builder().aor(settings.aor()).identity(settings.identity())
                .keyServer(new InetSocketAddress(keyServer.host(), keyServer.port()))
                .keyServerName(settings.keyServerName()).policy(policy)
                .requestTimeout(settings.requestTimeout()).build()) {
            agent.start();
            if (!agent.awaitRegistered(Duration.ofSeconds(10))) {
                System.err.println("not registered with the key server: " + agent.lastError().orElse("no answer"));
                return 2;
            }
            SecurityAssociation sa = agent.requestAssociation(server.toString())
                    .get(settings.requestTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
            OpenSslSession.writePem(sa, out);
            System.out.println("wrote " + out.toAbsolutePath() + " (SA " + sa.sessionIdHex() + ", " + sa.cipherSuite()
                    + ", valid until " + sa.expiryTime() + ")");
            System.out.println("try: openssl s_client -tls1_2 -connect " + server + " -sess_in " + out);
            return 0;
        }
    }
}
