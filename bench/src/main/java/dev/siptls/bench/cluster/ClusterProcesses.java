package dev.siptls.bench.cluster;

import dev.siptls.bench.deployed.CliKeyServer;
import dev.siptls.bench.deployed.KeyServerProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * The nodes of a {@link ClusterLayout}, each {@code sip-tls server --config <its file>} in a JVM of its own
 * ({@link CliKeyServer}: it dies with this JVM), started together (a node serves only once a majority of its
 * listed members is up), each killable, restartable on the same file, and readable over JMX.
 */
public final class ClusterProcesses implements AutoCloseable {

    /** What the CLI prints once the node is a member of its cluster. */
    private static final Pattern JOINED = Pattern.compile("Cluster '[^']*': node \\S+ joined");

    private final ClusterLayout layout;
    private final CliKeyServer[] nodes;
    private final KeyServerProbe[] probes;

    private ClusterProcesses(ClusterLayout layout) {
        this.layout = layout;
        this.nodes = new CliKeyServer[layout.nodes()];
        this.probes = new KeyServerProbe[layout.nodes()];
    }

    /** Starts every node of {@code layout} at once and waits until each has joined and listens. */
    public static ClusterProcesses start(ClusterLayout layout) throws Exception {
        ClusterProcesses cluster = new ClusterProcesses(layout);
        ExecutorService pool = Executors.newFixedThreadPool(layout.nodes());
        try {
            List<Future<CliKeyServer>> starts = new ArrayList<>();
            for (int i = 0; i < layout.nodes(); i++) {
                int node = i;
                starts.add(pool.submit(() -> launch(layout, node)));
            }
            Exception failure = null;
            for (int i = 0; i < starts.size(); i++) {
                try {
                    cluster.nodes[i] = starts.get(i).get();
                } catch (ExecutionException e) {
                    failure = failure == null ? (Exception) e.getCause() : failure;
                }
            }
            if (failure != null) {
                cluster.close();
                throw failure;
            }
            return cluster;
        } finally {
            pool.shutdown();
        }
    }

    private static CliKeyServer launch(ClusterLayout layout, int node) throws Exception {
        return CliKeyServer.launch(List.of("--config", layout.config(node).toString(),
                "--data-dir", layout.directory().resolve(layout.name(node) + "-data").toString()), null,
                layout.clustered() ? List.of(JOINED) : List.of(), log(layout, node));
    }

    private static Path log(ClusterLayout layout, int node) {
        return layout.directory().resolve(layout.name(node) + ".log");
    }

    /**
     * Every node's output since its first start, restarts included, for a failure message: the lines that are
     * not a refusal of one request (those are counted instead), at most {@code lines} per node.
     */
    public String logs(int lines) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < layout.nodes(); i++) {
            List<String> all;
            try {
                all = Files.readAllLines(log(layout, i));
            } catch (IOException e) {
                all = List.of("(no log: " + e.getMessage() + ")");
            }
            List<String> kept = all.stream().filter(l -> !l.contains(": refused ")).toList();
            out.append("\n--- ").append(layout.name(i)).append(" (").append(all.size() - kept.size())
                    .append(" refusals not shown):\n");
            kept.subList(Math.max(0, kept.size() - lines), kept.size()).forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    /** Kills node {@code i} with SIGKILL and waits until its process is gone. */
    public synchronized void kill(int i) throws InterruptedException {
        closeProbe(i);
        nodes[i].kill();
    }

    /** Starts node {@code i} again on its file, once killed or stopped, and waits until it has joined. */
    public void restart(int i) throws Exception {
        CliKeyServer old;
        synchronized (this) {
            old = nodes[i];
            closeProbe(i);
        }
        old.close();
        CliKeyServer fresh = launch(layout, i);
        synchronized (this) {
            nodes[i] = fresh;
        }
    }

    /** SIGSTOP ({@code true}) or SIGCONT to node {@code i}: hung, then going on. */
    public void suspend(int i, boolean stop) throws IOException, InterruptedException {
        nodes[i].suspend(stop);
    }

    public synchronized CliKeyServer node(int i) {
        return nodes[i];
    }

    /** Node {@code i}'s figures over JMX, attached on first use (after a restart, to the new process). */
    public synchronized KeyServerProbe probe(int i) throws IOException {
        if (probes[i] == null) {
            probes[i] = KeyServerProbe.attach(nodes[i].pid(), layout.name(i));
        }
        return probes[i];
    }

    private void closeProbe(int i) {
        if (probes[i] != null) {
            probes[i].close();
            probes[i] = null;
        }
    }

    /** The node's CLI output (its last lines), for failure messages. */
    public synchronized String output(int i) {
        return nodes[i] == null ? "" : nodes[i].output();
    }

    public ClusterLayout layout() {
        return layout;
    }

    /** Stops every node still running. */
    @Override
    public synchronized void close() {
        for (int i = 0; i < nodes.length; i++) {
            closeProbe(i);
            if (nodes[i] != null) {
                nodes[i].close();
            }
        }
    }
}
