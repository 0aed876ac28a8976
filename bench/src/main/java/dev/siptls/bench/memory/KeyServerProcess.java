package dev.siptls.bench.memory;

import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerConfig;
import dev.siptls.server.KeyServerStatistics;
import dev.siptls.sip.TlsIdentity;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The key server of the memory bench, alone in its own JVM (started by {@link ForkedKeyServer}): its heap
 * then holds the key server and nothing else, and {@code -Xmx} is a real limit. Reads its identity from
 * PKCS#12 files the parent wrote, and answers one-line commands on stdin with one line on stdout:
 * {@code heap}, {@code stats}, {@code threads} (live and peak), {@code cpu} (process CPU time, ns),
 * {@code files} (open file descriptors and their limit), {@code quit}. When stdin ends (the parent died) it
 * stops too.
 *
 * <p>Run: {@code java -Xmx512m -cp ... dev.siptls.bench.memory.KeyServerProcess <directory>}.
 */
public final class KeyServerProcess {

    static final String KEY_STORE = "keyserver.p12";
    static final String TRUST_STORE = "trust.p12";
    /** Protects only throw-away bench keys in a private temporary directory. */
    static final char[] STORE_PASSWORD = "memory-bench".toCharArray();

    private KeyServerProcess() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: KeyServerProcess <directory with " + KEY_STORE + " and " + TRUST_STORE + ">");
            System.exit(2);
        }
        // stdout is the command channel: nothing else may write to it.
        PrintStream answers = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        Path dir = Path.of(args[0]);
        TlsIdentity identity = TlsIdentity.fromPkcs12(dir.resolve(KEY_STORE), STORE_PASSWORD,
                dir.resolve(TRUST_STORE), STORE_PASSWORD);
        KeyServerConfig config = KeyServerConfig.builder().identity(identity).port(0).name("memory-bench")
                .registerMBean(false).build();
        try (KeyServer server = KeyServer.start(config)) {
            answers.println("port " + server.address().getPort());
            serve(server, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), answers);
        }
        System.exit(0);
    }

    private static void serve(KeyServer server, BufferedReader commands, PrintStream answers) throws Exception {
        for (String line = commands.readLine(); line != null; line = commands.readLine()) {
            switch (line.strip()) {
                case "heap" -> answers.println("heap " + LiveHeap.bytes() + " " + LiveHeap.maxBytes() + " "
                        + LiveHeap.threads());
                case "stats" -> {
                    KeyServerStatistics s = server.statistics();
                    answers.println("stats " + s.getCurrentRegistrations() + " " + s.getCurrentPolicies() + " "
                            + s.getSecurityAssociationsIssued() + " " + s.getTotalRefusals());
                }
                case "closes" -> {
                    KeyServerStatistics s = server.statistics();
                    answers.println("closes " + s.getFailedTlsHandshakes() + " " + s.getSlowPeersDisconnected() + " "
                            + s.getIdleConnectionsClosed() + " " + s.getReusedAddressesRefused() + " "
                            + s.getOpenConnections());
                }
                case "threads" -> answers.println("threads " + LiveHeap.threads() + " " + LiveHeap.peakThreads());
                case "cpu" -> answers.println("cpu " + ProcessFigures.cpuNanos());
                case "files" -> answers.println("files " + ProcessFigures.openFiles() + " " + ProcessFigures.maxFiles());
                case "quit" -> {
                    answers.println("bye");
                    return;
                }
                default -> answers.println("unknown " + line.strip());
            }
        }
    }
}
