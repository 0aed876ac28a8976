package dev.siptls.cluster;

import dev.siptls.protocol.HostPort;
import dev.siptls.server.StateUnavailableException;
import dev.siptls.sip.CertificateAuthority;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A cluster node in a JVM of its own, so that a test can kill it (SIGKILL) or stop it (SIGSTOP) without it
 * saying goodbye. Arguments: cluster, node name, port, every node's port (comma-separated), key store, trust
 * store; the password comes from the environment. Prints {@code JOINED <ms>} once joined, then answers one line
 * per command read: {@code get <aor>}, {@code first <key>}, {@code quit}.
 */
public final class ChildNode {

    static final String PASSWORD_VARIABLE = "SIPTLS_CLUSTER_TEST_PASSWORD";

    private ChildNode() {
    }

    public static void main(String[] args) throws Exception {
        char[] password = System.getenv(PASSWORD_VARIABLE).toCharArray();
        int port = Integer.parseInt(args[2]);
        List<HostPort> members = new ArrayList<>();
        for (String p : args[3].split(",")) {
            if (Integer.parseInt(p) != port) {
                members.add(new HostPort("127.0.0.1", Integer.parseInt(p)));
            }
        }
        ClusterConfig config = ClusterConfig.builder().clusterName(args[0]).nodeName(args[1])
                .bindAddress("127.0.0.1").bindPort(port).members(members)
                .identity(Path.of(args[4]), password, Path.of(args[5]), password)
                .failureDetectionTimeout(TestClusters.FAILURE_DETECTION).build();
        long start = System.nanoTime();
        try (ClusterNode node = ClusterNode.join(config)) {
            System.out.println("JOINED " + (System.nanoTime() - start) / 1_000_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
                System.out.println(answer(node, line));
            }
        }
    }

    private static String answer(ClusterNode node, String line) {
        String[] command = line.split(" ", 2);
        try {
            switch (command[0]) {
                case "get":
                    return node.registration(command[1]).map(r -> "RECORD " + r.nodeId()).orElse("NONE");
                case "first":
                    return node.firstTime(command[1]) ? "TRUE" : "FALSE";
                default:
                    return "UNKNOWN " + command[0];
            }
        } catch (StateUnavailableException e) {
            return "UNAVAILABLE";
        }
    }

    /**
     * Starts node {@code ports.size() - 1} of {@code cluster} in a JVM of its own, its key and trust stores written
     * to {@code dir} from {@code clusters}' CA; returns once it joined. Its stderr goes to a file in java.io.tmpdir.
     */
    static Handle start(TestClusters clusters, String cluster, List<Integer> ports, Path dir) throws Exception {
        int index = ports.size() - 1;
        String name = "n" + index;
        Path keyStore = dir.resolve(name + ".p12");
        Path trustStore = dir.resolve("cluster-ca.p12");
        if (!Files.exists(keyStore)) {
            CertificateAuthority.write(clusters.identity(name).keyStore(), keyStore, TestClusters.PASSWORD);
            CertificateAuthority.write(clusters.ca().trustStore(), trustStore, TestClusters.PASSWORD);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ChildNode.class.getName(), cluster, name, String.valueOf(ports.get(index)),
                ports.stream().map(String::valueOf).collect(Collectors.joining(",")), keyStore.toString(),
                trustStore.toString());
        builder.environment().put(PASSWORD_VARIABLE, new String(TestClusters.PASSWORD));
        builder.redirectError(ProcessBuilder.Redirect.appendTo(new File(
                System.getProperty("java.io.tmpdir"), "siptls-cluster-child-" + ProcessHandle.current().pid()
                        + ".log")));
        return new Handle(builder.start());
    }

    /** The running child, seen from the test. */
    static final class Handle implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final java.io.Writer in;
        final long joinMillis;

        Handle(Process process) throws Exception {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("JOINED ")) {
                // the child prints nothing else on stdout; skip anything unexpected
            }
            if (line == null) {
                throw new IllegalStateException("child node ended before it joined, exit " + process.waitFor());
            }
            this.joinMillis = Long.parseLong(line.substring("JOINED ".length()));
        }

        String ask(String command) throws Exception {
            in.write(command + "\n");
            in.flush();
            return Optional.ofNullable(out.readLine()).orElseThrow();
        }

        long pid() {
            return process.pid();
        }

        /** Sends it {@code signal} (STOP, CONT) with the kill program, as an operator would. */
        void signal(String signal) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            kill();
        }
    }
}
