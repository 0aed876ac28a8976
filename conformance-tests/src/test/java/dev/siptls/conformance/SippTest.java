package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key server against sipp, a SIP stack nobody here wrote, driven by the scenario files in
 * {@code src/test/resources/sipp/}: on the plain-TCP listener (on only here) everything security-relevant is
 * refused; through stunnel (sipp's Debian build has no TLS) with a client certificate, phase 1 succeeds.
 * A scenario passes when sipp exits with 0.
 */
@Timeout(120)
class SippTest {

    @TempDir
    static Path dir;
    private static Deployment deployment;

    @BeforeAll
    static void start() throws Exception {
        deployment = Deployment.start(dir, b -> b.plainTcpPort(-1));
    }

    @AfterAll
    static void stop() {
        deployment.close();
    }

    @Test
    void registerAndPolicyMessageAreRefusedOnPlainTcp() throws Exception {
        Tools.require(Tools.Tool.SIPP);

        Run run = sipp("register-message-refused-on-plain-tcp.xml", deployment.plainTcp());

        assertEquals(0, run.exitCode(), run.output());
        assertEquals(0, deployment.keyServer.statistics().getTotalRegistrations(), "nothing registered");
    }

    @Test
    void inviteIsRefusedOnPlainTcp() throws Exception {
        Tools.require(Tools.Tool.SIPP);

        Run run = sipp("invite-refused-on-plain-tcp.xml", deployment.plainTcp());

        assertEquals(0, run.exitCode(), run.output());
    }

    @Test
    void registerAndPolicyMessageSucceedOverMutualTlsThroughStunnel() throws Exception {
        Tools.require(Tools.Tool.SIPP);
        Tools.require(Tools.Tool.STUNNEL);
        long before = registrations();
        try (ExternalProcess stunnel = stunnel()) {

            Run run = sipp("register-message-over-tls.xml", new InetSocketAddress("127.0.0.1", stunnelPort));

            assertEquals(0, run.exitCode(), run.output() + "\nstunnel:\n" + stunnel.output());
            assertTrue(registrations() > before, "the key server counted the REGISTER");
            assertTrue(deployment.keyServer.statistics().getTotalPolicies() > 0);
        }
    }

    /**
     * The scenarios have teeth: the plain-TCP scenario, which expects 403, run over TLS where the key server
     * accepts the REGISTER (200), makes sipp exit non-zero.
     */
    @Test
    void sippFailsAScenarioWhoseExpectedAnswerDoesNotCome() throws Exception {
        Tools.require(Tools.Tool.SIPP);
        Tools.require(Tools.Tool.STUNNEL);
        try (ExternalProcess stunnel = stunnel()) {

            Run run = sipp("register-message-refused-on-plain-tcp.xml", new InetSocketAddress("127.0.0.1", stunnelPort));

            assertEquals(1, run.exitCode(), "sipp exits 1 when a call failed:\n" + run.output());
        }
    }

    private int stunnelPort;

    /** Registrations the key server accepted, new or refreshed. */
    private static long registrations() {
        return deployment.keyServer.statistics().getTotalRegistrations()
                + deployment.keyServer.statistics().getRefreshedRegistrations();
    }

    /**
     * stunnel in client mode: accepts plain TCP from sipp on a free port and opens a mutual-TLS connection to the
     * key server with a client certificate proving sip:sipp@example.com (TestPki-issued, PEM as stunnel wants).
     */
    private ExternalProcess stunnel() throws Exception {
        TlsIdentity sipp = deployment.pki.agent("sip:sipp@example.com");
        Path chain = Files.writeString(dir.resolve("sipp-chain.pem"), Pem.chain(sipp.chain()));
        Path key = Files.writeString(dir.resolve("sipp-key.pem"), Pem.privateKey(sipp.privateKey()));
        stunnelPort = Deployment.freePort();
        Path config = Files.writeString(dir.resolve("stunnel-" + stunnelPort + ".conf"), String.join("\n",
                "foreground = yes",
                "pid =",
                "debug = notice",
                "[sip-tls]",
                "client = yes",
                "accept = 127.0.0.1:" + stunnelPort,
                "connect = " + deployment.keyServerHostPort(),
                "cert = " + chain,
                "key = " + key,
                "CAfile = " + deployment.caPem(),
                "verifyChain = yes",
                "checkHost = localhost",
                "sslVersionMin = TLSv1.2",
                ""));
        ExternalProcess stunnel = ExternalProcess.start(List.of("stunnel", config.toString()));
        if (!stunnel.awaitOutput(o -> o.contains("Configuration successful"), Duration.ofSeconds(20))) {
            String output = stunnel.output();
            stunnel.close();
            throw new AssertionError("stunnel did not start:\n" + output);
        }
        return stunnel;
    }

    /** What sipp printed and how it exited. */
    record Run(int exitCode, String output) {
    }

    /** Runs one call of {@code scenario} against {@code target} over a single TCP connection. */
    private static Run sipp(String scenario, InetSocketAddress target) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory(dir, "sipp-" + scenario.replace(".xml", "") + "-");
        Path file = work.resolve(scenario);
        try (InputStream in = SippTest.class.getResourceAsStream("/sipp/" + scenario)) {
            Files.copy(in, file);
        }
        List<String> command = new ArrayList<>(List.of("sipp", "-sf", file.toString(), "-t", "t1", "-m", "1",
                "-nostdin", "-trace_err", "-trace_msg", "-i", "127.0.0.1", "-p", String.valueOf(Deployment.freePort()),
                "-timeout", "30s", "-timeout_error",
                target.getAddress().getHostAddress() + ":" + target.getPort()));
        try (ExternalProcess sipp = ExternalProcess.start(command, work, java.util.Map.of())) {
            int exit = sipp.awaitExit(Duration.ofSeconds(60));
            StringBuilder output = new StringBuilder("sipp exit code " + exit + "\n" + sipp.output());
            try (var logs = Files.list(work)) {
                for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                    output.append("\n--- ").append(log.getFileName()).append(" ---\n")
                            .append(Files.readString(log, StandardCharsets.ISO_8859_1));
                }
            }
            System.out.println("sipp -sf " + scenario + " -t t1 -m 1 " + target.getAddress().getHostAddress() + ":"
                    + target.getPort() + ": exit " + exit);
            return new Run(exit, output.toString());
        }
    }
}
