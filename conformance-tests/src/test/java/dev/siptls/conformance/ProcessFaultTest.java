package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.cli.SipTlsCommand;
import dev.siptls.conformance.FaultFigures.Phase;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.TlsIdentity;
import dev.siptls.sip.testing.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults across separate processes, as a deployment meets them: the key server run by the real
 * {@code sip-tls server} command, and two deployments ({@code fallback=full} and {@code fallback=fail}) of a
 * TLS server JVM and a client JVM, each configured only by {@code -Djava.security.properties} naming a
 * {@code sip-tls.properties} (10 s SAs, keep-alives every second, TLS servers waiting at {@code init} for
 * their registration), running plain JSSE code; each client makes about 20 connections a second. In
 * sequence: the TLS servers and clients start before the key server; the key server is killed (-9) and
 * restarted; it is stopped (SIGSTOP) for longer than an SA lives and continued; the TLS servers are killed (-9)
 * just after the {@code fallback=fail} client got a fresh SA, and restarted.
 *
 * <p>After each fault SIP resumption must come back by itself with the next SA request and stay; no session
 * may be resumed natively once older than the SA lifetime bound; under {@code fallback=full} no connection
 * fails, under {@code fallback=fail} a restarted TLS server costs at most one refused connection. Prints per
 * fault and client: SIP / native / full / failed connections, the longest call, the oldest native session and
 * when SIP came back (README's table). About 90 s. Every child JVM ends with the test, however it ends
 * ({@link GuardedMain}).
 *
 * <p>Alone: {@code mvn -B -pl conformance-tests -am verify -Dtest=ProcessFaultTest
 * -Dsurefire.failIfNoSpecifiedTests=false}; the table is in
 * {@code conformance-tests/target/surefire-reports/dev.siptls.conformance.ProcessFaultTest-output.txt}.
 */
@Timeout(300)
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "kill -9, SIGSTOP and SIGCONT are POSIX signals")
class ProcessFaultTest {

    private static final String TLS_SERVER_RESTART = "TLS server kill -9, restart";
    private static final Pattern LISTENING = Pattern.compile("listening on tls:");
    private static final String IN_USE = "Address already in use";
    private static final Pattern READY = Pattern.compile("ready on \\S+ at (\\d+)");
    /** Short SAs, so that every fault outlives one and a stale SA or native session cannot hide. */
    private static final int SA_LIFETIME_SECONDS = 10;
    private static final Duration BEFORE_KEY_SERVER = Duration.ofSeconds(3);
    /** As long as an SA lives: the clients need a new SA while the key server is gone, not only after. */
    private static final Duration KEY_SERVER_DOWN = Duration.ofSeconds(SA_LIFETIME_SECONDS);
    /** Longer than an SA lives: at least one SA expires while the key server hangs. */
    private static final Duration KEY_SERVER_STOPPED = Duration.ofSeconds(SA_LIFETIME_SECONDS + 1);
    /** How long each fault is watched after it ends: the agents' reconnect backoff plus a few seconds of SIP. */
    private static final Duration OBSERVED = Duration.ofSeconds(12);
    private static final Duration START = Duration.ofSeconds(60);
    private static final List<String> CHILD_JVM = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dguard.maxSeconds=300");

    /** Keep-alives on every agent's flow: a hung key server counts as lost within about 3 s. */
    private static final Map<String, String> KEEP_ALIVE = Map.of("keepAliveInterval", "1s", "keepAliveTimeout", "2s");
    /** A TLS server accepts only once its agent registered (and published its policy), at most this long. */
    private static final String AWAIT_REGISTRATION = "10s";

    @TempDir
    Path dir;

    private final List<ExternalProcess> running = Collections.synchronizedList(new ArrayList<>());
    private Map<String, String> environment;
    private Path trust;
    private Path tlsCertificate;
    private Path keyServerConfig;

    @Test
    void sipResumptionComesBackAfterEveryFaultAcrossProcesses() throws Exception {
        TestPki pki = new TestPki();
        String password = new String(TestPki.PASSWORD);
        environment = Map.of("SIPTLS_KEYSTORE_PASSWORD", password, "SIPTLS_TRUSTSTORE_PASSWORD", password);
        trust = store("trust.p12", null, pki);
        tlsCertificate = store("tls-certificate.p12", pki.identity("tls-server", List.of("localhost", "127.0.0.1")),
                pki);
        int keyServerPort = portOutsideEphemeralRange();
        keyServerConfig = Templates.write("keyserver.properties", Map.of(
                "keystore", store("keyserver.p12", pki.keyServer(), pki).toString(), "truststore", trust.toString(),
                "bind", "127.0.0.1", "port", Integer.toString(keyServerPort)), dir.resolve("keyserver.properties"));
        Files.writeString(keyServerConfig, "sa.max-lifetime=" + SA_LIFETIME_SECONDS + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        String keyServer = "127.0.0.1:" + keyServerPort;
        List<Deployed> deployments = new ArrayList<>();
        for (String fallback : List.of("full", "fail")) {
            int tlsPort = portOutsideEphemeralRange();
            deployments.add(new Deployed(fallback, tlsPort,
                    installed(pki, "sip:server-" + fallback + "@example.com", keyServer, Map.of("serve",
                            "127.0.0.1:" + tlsPort, "fallback", fallback, "awaitRegistration", AWAIT_REGISTRATION)),
                    installed(pki, "sip:client-" + fallback + "@example.com", keyServer,
                            Map.of("fallback", fallback))));
        }

        List<FaultFigures> rows;
        try {
            rows = injectFaults(deployments);
        } finally {
            stopAll();
        }

        String table = FaultFigures.table(rows);
        System.out.println("Faults across processes (SA lifetime " + SA_LIFETIME_SECONDS + " s, about 20 connections/s"
                + " per client, " + KEEP_ALIVE + ", TLS servers awaitRegistration=" + AWAIT_REGISTRATION + "):\n"
                + table);
        FaultFigures.failureReasons(rows).forEach(r -> System.out.println("  failure: " + r));
        List<String> violations = violations(rows);
        assertTrue(violations.isEmpty(), String.join("\n", violations) + "\n\n" + table);
    }

    /**
     * Issue 11's bounds, for each fault and client: SIP back after the fault, and only SIP from then on; no
     * session resumed natively once older than the SA lifetime bound; under {@code fallback=full} no failed
     * connection; under {@code fallback=fail} at most one refused connection per TLS-server restart.
     */
    private static List<String> violations(List<FaultFigures> rows) {
        List<String> violations = new ArrayList<>();
        for (FaultFigures f : rows) {
            String where = f.phase().name() + " / " + f.client() + ": ";
            if (f.sipBackSeconds() == null) {
                violations.add(where + "SIP resumption never came back");
            } else if (f.nonSipAfterBack() > 0) {
                violations.add(where + f.nonSipAfterBack() + " connections were not SIP after SIP came back");
            }
            if (f.oldestNativeMillis() > SA_LIFETIME_SECONDS * 1000L) {
                // measured when the connection started: the session was at least this old when resumed
                violations.add(where + "a native resumption of a session " + f.oldestNativeMillis() / 1000.0
                        + " s old, past the SA lifetime bound (maxLifetime=" + SA_LIFETIME_SECONDS + "s)");
            }
            if (f.client().equals("fallback=full") && f.failed() > 0) {
                violations.add(where + f.failed() + " connections failed under fallback=full");
            }
            if (f.client().equals("fallback=fail") && f.phase().name().equals(TLS_SERVER_RESTART) && f.failed() > 1) {
                violations.add(where + f.failed() + " connections refused after one TLS-server restart (at most 1)");
            }
        }
        return violations;
    }

    /**
     * Starts the TLS servers and the clients, then the faults one after the other; returns each client's
     * figures per fault, in the order of the faults.
     */
    private List<FaultFigures> injectFaults(List<Deployed> deployments) throws Exception {
        long from = System.currentTimeMillis();
        // everything but the key server starts at once; the TLS servers accept once registered
        Map<String, ExternalProcess> tlsServers = startTlsServers(deployments, false);
        Map<String, ExternalProcess> clients = new LinkedHashMap<>();
        for (Deployed d : deployments) {
            clients.put(d.fallback(), start("client-" + d.fallback(), ChildJvm.command(d.clientJvm(),
                    GuardedMain.class.getName(), FaultClientMain.class.getName(), "127.0.0.1",
                    Integer.toString(d.tlsPort()), trust.toString(), records(d.fallback()).toString())));
        }
        for (ExternalProcess client : clients.values()) {
            awaitLine(client, "started");
        }
        List<Phase> phases = new ArrayList<>();

        Thread.sleep(BEFORE_KEY_SERVER.toMillis());
        ExternalProcess keyServer = startKeyServer();
        long back = System.currentTimeMillis();
        Thread.sleep(OBSERVED.toMillis());
        for (ExternalProcess tlsServer : tlsServers.values()) {
            awaitLine(tlsServer, "ready on ");
        }
        phases.add(Phase.withoutKill("start before the key server", from, back, System.currentTimeMillis()));

        from = System.currentTimeMillis();
        kill(keyServer);
        Thread.sleep(KEY_SERVER_DOWN.toMillis());
        keyServer = startKeyServer();
        back = System.currentTimeMillis();
        Thread.sleep(OBSERVED.toMillis());
        phases.add(Phase.withoutKill("key server kill -9, restart", from, back, System.currentTimeMillis()));

        from = System.currentTimeMillis();
        keyServer.signal("STOP");
        Thread.sleep(KEY_SERVER_STOPPED.toMillis());
        keyServer.signal("CONT");
        back = System.currentTimeMillis();
        Thread.sleep(OBSERVED.toMillis());
        phases.add(Phase.withoutKill("key server SIGSTOP " + KEY_SERVER_STOPPED.toSeconds() + " s, SIGCONT", from, back,
                System.currentTimeMillis()));

        awaitFreshAssociation(records("fail"));
        from = System.currentTimeMillis();
        tlsServers.values().forEach(this::kill);
        long killed = System.currentTimeMillis();
        tlsServers = startTlsServers(deployments, true);
        Thread.sleep(OBSERVED.toMillis());
        long to = System.currentTimeMillis();

        for (ExternalProcess client : clients.values()) {
            client.closeInput();
        }
        List<FaultFigures> rows = new ArrayList<>();
        for (Map.Entry<String, ExternalProcess> client : clients.entrySet()) {
            client.getValue().awaitExit(Duration.ofSeconds(30));
            List<ConnectionRecord> records = read(records(client.getKey()));
            List<Phase> all = new ArrayList<>(phases);
            // each TLS server is back when it accepts again, by its own report
            all.add(new Phase(TLS_SERVER_RESTART, from, readySince(tlsServers.get(client.getKey())), to, from, killed));
            for (Phase phase : all) {
                rows.add(FaultFigures.of("fallback=" + client.getKey(), phase, records));
            }
        }
        rows.sort(Comparator.comparing((FaultFigures f) -> f.phase().from()));
        return rows;
    }

    /**
     * Waits (at most an SA lifetime) until the client of {@code records} has just resumed with a new SA, so that
     * the TLS server restart that follows meets a client still holding an SA the new server process lacks.
     */
    private static void awaitFreshAssociation(Path records) throws Exception {
        long before = last(read(records)).associationRequests();
        Polling.until(() -> {
            ConnectionRecord last = last(readUnchecked(records));
            return last.associationRequests() > before && last.kind() == ConnectionRecord.Kind.SIP;
        }, Duration.ofSeconds(SA_LIFETIME_SECONDS));
    }

    private static ConnectionRecord last(List<ConnectionRecord> records) {
        return records.isEmpty() ? new ConnectionRecord(0, 0, ConnectionRecord.Kind.DOWN, -1, 0, "")
                : records.get(records.size() - 1);
    }

    private static List<ConnectionRecord> readUnchecked(Path file) {
        try {
            return read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void kill(ExternalProcess process) {
        process.close();
        running.remove(process);
    }

    /** JVM options of a JVM where SipTls is installed by a java.security file naming its sip-tls.properties. */
    private List<String> installed(TestPki pki, String aor, String keyServer, Map<String, String> keys)
            throws Exception {
        String user = aor.substring("sip:".length(), aor.indexOf('@'));
        Path store = store(user + ".p12", pki.agent(aor), pki);
        Path properties = Templates.write("sip-tls.properties", Map.of("aor", aor, "keyStore",
                store.getFileName().toString(), "trustStore", "trust.p12", "keyServer", keyServer),
                dir.resolve(user + ".properties"));
        StringBuilder more = new StringBuilder("maxLifetime=" + SA_LIFETIME_SECONDS + "s\n");
        keys.forEach((k, v) -> more.append(k).append('=').append(v).append('\n'));
        KEEP_ALIVE.forEach((k, v) -> more.append(k).append('=').append(v).append('\n'));
        Files.writeString(properties, more, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Path security = Templates.write("sip-tls.java.security", Map.of("N",
                Integer.toString(ChildJvm.nextProviderNumber()), "sipTlsProperties", properties.toString()),
                dir.resolve(user + ".java.security"));
        List<String> options = new ArrayList<>(CHILD_JVM);
        options.add("-Djava.security.properties=" + security);
        return options;
    }

    /** A PKCS#12 file in the test directory: {@code identity}'s key store, or (null) the CA's trust store. */
    private Path store(String name, TlsIdentity identity, TestPki pki) throws Exception {
        Path file = dir.resolve(name);
        CertificateAuthority.write(identity == null ? pki.ca().trustStore() : identity.keyStore(), file,
                TestPki.PASSWORD);
        return file;
    }

    private Path records(String fallback) {
        return dir.resolve("connections-" + fallback + ".csv");
    }

    /** A TLS server and a client that share one {@code fallback}, each in its own JVM. */
    private record Deployed(String fallback, int tlsPort, List<String> serverJvm, List<String> clientJvm) {
    }

    /** The TLS server of each deployment, started side by side; with {@code await}, returns once each accepts. */
    private Map<String, ExternalProcess> startTlsServers(List<Deployed> deployments, boolean await)
            throws Exception {
        Map<String, ExternalProcess> servers = new LinkedHashMap<>();
        for (Deployed d : deployments) {
            servers.put(d.fallback(), start("tls-server-" + d.fallback(), ChildJvm.command(d.serverJvm(),
                    GuardedMain.class.getName(), FaultTlsServerMain.class.getName(), Integer.toString(d.tlsPort()),
                    tlsCertificate.toString())));
        }
        for (ExternalProcess server : servers.values()) {
            if (await) {
                awaitLine(server, "ready on ");
            }
        }
        return servers;
    }

    /**
     * A free loopback port below the range the kernel hands out for outgoing connections: the key server and
     * the TLS servers come back on the same port after a kill, and in between the clients' own connections
     * (40 a second) must not be able to take it as their local port.
     */
    private static int portOutsideEphemeralRange() throws IOException {
        int low = 32768;
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (Files.isReadable(range)) {
            low = Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]);
        }
        for (int attempt = 0; attempt < 50 && low > 11_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(10_000, low);
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // another one
            }
        }
        return Deployment.freePort();
    }

    /** When a TLS server started accepting, by its own clock (the test's: one machine). */
    private static long readySince(ExternalProcess server) {
        Matcher ready = READY.matcher(server.output());
        assertTrue(ready.find(), server + " never got ready");
        return Long.parseLong(ready.group(1));
    }

    /** {@code sip-tls server --config ...} on the same port each time; a port still held is retried a few times. */
    private ExternalProcess startKeyServer() throws Exception {
        for (int attempt = 1; ; attempt++) {
            ExternalProcess server = start("key-server", ChildJvm.command(List.of("-Xmx256m", "-XX:+UseSerialGC",
                    "-Dguard.maxSeconds=300"), GuardedMain.class.getName(), SipTlsCommand.class.getName(), "server",
                    "--config", keyServerConfig.toString()));
            if (server.awaitOutput(o -> LISTENING.matcher(o).find() || o.contains(IN_USE), START)
                    && LISTENING.matcher(server.output()).find()) {
                return server;
            }
            server.close();
            running.remove(server);
            if (attempt == 5 || !server.output().contains(IN_USE)) {
                throw new AssertionError("sip-tls server did not start:\n" + server.output());
            }
            Thread.sleep(500);
        }
    }

    private ExternalProcess start(String name, List<String> command) throws IOException {
        ExternalProcess process = ExternalProcess.start(name, command, dir, environment);
        running.add(process);
        return process;
    }

    private static void awaitLine(ExternalProcess process, String text) throws InterruptedException {
        assertTrue(process.awaitOutput(o -> o.contains(text), START), process + " did not print '" + text + "':\n"
                + process.output());
    }

    /** Kills every process still running (SIGKILL ends a stopped one too) and shows how each ended. */
    private void stopAll() {
        List<ExternalProcess> all;
        synchronized (running) {
            all = new ArrayList<>(running);
            running.clear();
        }
        Collections.reverse(all);
        for (ExternalProcess process : all) {
            process.close();
            System.out.println("--- last lines of " + process + ":\n" + tail(process.output(), 15));
        }
    }

    private static String tail(String output, int lines) {
        List<String> all = output.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** The client's records; a last line cut short by a killed client is left out. */
    private static List<ConnectionRecord> read(Path file) throws IOException {
        List<ConnectionRecord> records = new ArrayList<>();
        if (!Files.exists(file)) {
            return records;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            try {
                records.add(ConnectionRecord.parse(line));
            } catch (RuntimeException partial) {
                // only the last line can be partial
            }
        }
        return records;
    }
}
