package dev.siptls.cli;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.CipherSuites;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.OpenSslSession;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.provider.SipTlsConfiguration;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sip-tls export-session}: obtains an SA for a TLS server as the configured client agent and hands it to
 * OpenSSL, so that any TLS implementation that can load it can be the SIP-TLS client. A TLS 1.2 SA is written as
 * an OpenSSL session ({@code openssl s_client -tls1_2 -sess_in sa.pem}); a TLS 1.3 SA is an external PSK, printed
 * as the arguments {@code -tls1_3 -ciphersuites SUITE -psk HEX -psk_identity ID}, or, for a SHA-384 suite (which
 * OpenSSL's {@code -psk} cannot carry), written as a session file for {@code -psk_session}.
 */
@Command(name = "export-session", mixinStandardHelpOptions = true,
        description = {"Requests a security association for a TLS server through the key server, as the agent "
                + "of a sip-tls.properties file. A TLS 1.2 SA is written as an OpenSSL SSL_SESSION PEM (owner-only "
                + "file; it holds the master secret); a TLS 1.3 SA is printed as OpenSSL's -psk arguments (they "
                + "hold the PSK), or for TLS_AES_256_GCM_SHA384 written as a -psk_session file."})
final class ExportSessionCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    /** Suites OpenSSL also speaks, most preferred first, when the configuration names none. */
    private static final List<String> DEFAULT_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the client agent's sip-tls.properties")
    Path config;

    @Option(names = "--target", required = true, paramLabel = "HOST:PORT", description = "the TLS server, as its policy binds it")
    String target;

    @Option(names = "--out", paramLabel = "FILE", description = "where to write the PEM, for a TLS 1.2 SA or a TLS 1.3 one of a SHA-384 suite (default ${DEFAULT-VALUE}; never overwritten)")
    Path out = Path.of("sa.pem");

    @Override
    public Integer call() throws Exception {
        SipTlsConfiguration settings = SipTlsConfiguration.load(config);
        HostPort server = HostPort.parse(target);
        SecurityPolicy policy = policy(settings.suites(), settings.protocols())
                .certificateChain(settings.identity().chain()).build();
        SipTlsAgent.Builder builder = SipTlsAgent.builder().aor(settings.aor()).identity(settings.identity())
                .keyServerName(settings.keyServerName().orElse(null)).policy(policy)
                .requestTimeout(settings.requestTimeout());
        if (settings.keyServerSrv().isPresent()) {
            builder.keyServerSrv(settings.keyServerSrv().get()).dnsResolver(settings.keyServerResolver().orElse(null));
        } else {
            builder.keyServers(settings.keyServers().stream()
                    .map(k -> InetSocketAddress.createUnresolved(k.host(), k.port())).toList());
        }
        try (SipTlsAgent agent = builder.build()) {
            agent.start();
            if (!agent.awaitRegistered(Duration.ofSeconds(10))) {
                System.err.println("not registered with the key server: " + agent.lastError().orElse("no answer"));
                return 2;
            }
            SecurityAssociation sa = agent.requestAssociation(server.toString())
                    .get(settings.requestTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
            export(sa, server, out, System.out); // the agent's store owns the SA and destroys it on close
            return 0;
        }
    }

    /**
     * The client policy for {@code configured} suites (none: {@link #DEFAULT_SUITES}) of the {@code protocols}
     * versions, listing the versions its suites belong to.
     */
    static SecurityPolicy.Builder policy(List<String> configured, List<String> protocols) {
        List<String> suites = (configured.isEmpty() ? DEFAULT_SUITES : configured).stream()
                .filter(s -> CipherSuites.isKnown(s) && protocols.contains(CipherSuites.protocolVersion(s))).toList();
        List<String> versions = protocols.stream()
                .filter(v -> suites.stream().anyMatch(s -> CipherSuites.protocolVersion(s).equals(v))).toList();
        return SecurityPolicy.builder().protocolVersions(versions).cipherSuites(suites);
    }

    /**
     * Hands {@code sa} to OpenSSL: a TLS 1.2 SA as a session file {@code out}; a TLS 1.3 SA of a SHA-256 suite as
     * printed {@code -psk} arguments (no file); one of a SHA-384 suite as a {@code -psk_session} file {@code out}.
     */
    static void export(SecurityAssociation sa, HostPort server, Path out, PrintStream stdout) throws IOException {
        String about = "SA " + sa.sessionIdHex() + ", " + sa.protocolVersion() + ", " + sa.cipherSuite()
                + ", valid until " + sa.expiryTime();
        if (!sa.isTls13()) {
            OpenSslSession.writePem(sa, out);
            stdout.println("wrote " + out.toAbsolutePath() + " (" + about + ")");
            stdout.println("try: openssl s_client -tls1_2 -connect " + server + " -sess_in " + out);
            return;
        }
        List<String> arguments;
        if (CipherSuites.hashLength(sa.cipherSuite()) == 32) {
            arguments = OpenSslSession.pskArguments(sa);
            stdout.println(about + "; OpenSSL's arguments for it (they hold the PSK):");
        } else {
            OpenSslSession.writePem(sa, out);
            arguments = OpenSslSession.pskSessionArguments(sa, out);
            stdout.println("wrote " + out.toAbsolutePath() + " (" + about + "); OpenSSL's -psk takes only SHA-256"
                    + " PSKs, so it goes in -psk_session:");
        }
        stdout.println(String.join(" ", arguments));
        stdout.println("try: openssl s_client -connect " + server + " " + String.join(" ", arguments));
    }
}
