package dev.siptls.bench.memory;

import dev.siptls.bench.ChildJvm;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateAuthority.KeyType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A key server running in a child JVM ({@link KeyServerProcess}) with a fixed maximum heap, so that its heap
 * figures hold nothing of the agents that load it and an {@code OutOfMemoryError} is a real one (the child
 * then exits at once). {@link #close} stops it; if this JVM dies first, the child sees its stdin end and
 * stops as well.
 */
public final class ForkedKeyServer implements AutoCloseable {

    /** The heap limit the targets are stated for: 100,000 registrations within 512 MiB. */
    static final String MAX_HEAP = "512m";
    private static final long START_SECONDS = 60;
    private static final long ANSWER_SECONDS = 120;
    private static final String EOF = "\u0000eof";

    private final Process process;
    private final Path directory;
    private final Writer commands;
    private final BlockingQueue<String> lines;
    private final Thread shutdownHook;
    private final InetSocketAddress address;

    /** What the child said about its heap: used after full collections, its limit, its live threads. */
    public record Heap(long usedBytes, long maxBytes, int threads) {
    }

    /** The child key server's statistics. */
    public record Counts(long registrations, long policies, long associationsIssued, long refusals) {
    }

    /** Why the key server closed or refused connections so far, and how many it holds open. */
    public record Closes(long failedHandshakes, long slowPeers, long idle, long reusedAddresses, long open) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%,d open; closed or refused: %,d failed TLS handshakes, "
                    + "%,d slow peers, %,d idle without a registration, %,d from a reused address", open,
                    failedHandshakes, slowPeers, idle, reusedAddresses);
        }
    }

    private ForkedKeyServer(Process process, Path directory, BlockingQueue<String> lines, Thread shutdownHook)
            throws IOException {
        this.process = process;
        this.directory = directory;
        this.commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.lines = lines;
        this.shutdownHook = shutdownHook;
        try {
            String port = await("port");
            this.address = new InetSocketAddress("127.0.0.1", Integer.parseInt(port));
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** The child's live threads and the most it has had at once. */
    public record Threads(int live, int peak) {
    }

    /** The child's open file descriptors and its open-file limit. */
    public record Descriptors(long open, long max) {
    }

    /** Issues the key server's certificate ({@code 127.0.0.1}) from {@code ca} and starts the child. */
    public static ForkedKeyServer start(CertificateAuthority ca) throws Exception {
        return start(ca, MAX_HEAP);
    }

    /** As {@link #start(CertificateAuthority)}, with {@code -Xmx} {@code maxHeap} (say {@code 1g}). */
    public static ForkedKeyServer start(CertificateAuthority ca, String maxHeap) throws Exception {
        Path dir = Files.createTempDirectory("sip-tls-memory");
        CertificateAuthority.write(ca.issue("keyserver", List.of("127.0.0.1"), KeyType.EC_P256,
                KeyServerProcess.STORE_PASSWORD), dir.resolve(KeyServerProcess.KEY_STORE),
                KeyServerProcess.STORE_PASSWORD);
        CertificateAuthority.write(ca.trustStore(), dir.resolve(KeyServerProcess.TRUST_STORE),
                KeyServerProcess.STORE_PASSWORD);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"),
                KeyServerProcess.class.getName(), dir.toString()));
        Process process = new ProcessBuilder(command)
                .redirectError(dir.resolve("keyserver.log").toFile())
                .start();
        Thread hook = new Thread(process::destroyForcibly, "memory-bench-child-killer");
        Runtime.getRuntime().addShutdownHook(hook);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> readLines(process, lines), "memory-bench-child-reader");
        reader.setDaemon(true);
        reader.start();
        return new ForkedKeyServer(process, dir, lines, hook);
    }

    private static void readLines(Process process, BlockingQueue<String> lines) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the child is gone; EOF below says so
        }
        lines.add(EOF);
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Heap used after full collections in the child, its limit and its threads. */
    public Heap heap() throws IOException {
        String[] f = ask("heap").split(" ");
        return new Heap(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]));
    }

    public Counts counts() throws IOException {
        String[] f = ask("stats").split(" ");
        return new Counts(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
    }

    public Closes closes() throws IOException {
        String[] f = ask("closes").split(" ");
        return new Closes(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[4]));
    }

    /** The child's threads, without the full collections {@link #heap} makes: cheap enough to poll. */
    public Threads threads() throws IOException {
        String[] f = ask("threads").split(" ");
        return new Threads(Integer.parseInt(f[0]), Integer.parseInt(f[1]));
    }

    /** The CPU time the child's threads have used, in nanoseconds. */
    public long cpuNanos() throws IOException {
        return Long.parseLong(ask("cpu"));
    }

    public Descriptors files() throws IOException {
        String[] f = ask("files").split(" ");
        return new Descriptors(Long.parseLong(f[0]), Long.parseLong(f[1]));
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the child still runs (it exits on {@code OutOfMemoryError}). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child's exit status, once it has exited. */
    public int exitValue() {
        return process.exitValue();
    }

    /** The child itself, for tests of its lifecycle. */
    Process process() {
        return process;
    }

    /** One question and its answer at a time: answers are matched to questions by order. */
    private synchronized String ask(String command) throws IOException {
        if (!process.isAlive()) {
            throw new IOException("the key server process has exited (" + process.exitValue() + "); see " + log());
        }
        commands.write(command + "\n");
        commands.flush();
        return await(command);
    }

    private String await(String prefix) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(prefix.equals("port") ? START_SECONDS
                : ANSWER_SECONDS);
        try {
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new IOException("the key server process did not answer '" + prefix + "' in time; see "
                            + log());
                }
                if (line.equals(EOF)) {
                    throw new IOException("the key server process ended before answering '" + prefix + "'; see "
                            + log());
                }
                if (line.startsWith(prefix + " ")) {
                    return line.substring(prefix.length() + 1);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the key server process", e);
        }
    }

    private Path log() {
        return directory.resolve("keyserver.log");
    }

    /** Asks the child to stop, kills it if it does not within seconds, and removes its files. */
    @Override
    public synchronized void close() {
        try {
            if (process.isAlive()) {
                commands.write("quit\n");
                commands.flush();
                commands.close();
            }
        } catch (IOException e) {
            // already gone
        }
        ChildJvm.awaitOrKill(process, shutdownHook);
        deleteDirectory();
    }

    /** The keys always go; the child's log stays when it failed, for whoever reads the error. */
    private void deleteDirectory() {
        try {
            Files.deleteIfExists(directory.resolve(KeyServerProcess.KEY_STORE));
            Files.deleteIfExists(directory.resolve(KeyServerProcess.TRUST_STORE));
            if (!process.isAlive() && process.exitValue() == 0) {
                Files.deleteIfExists(log());
                Files.deleteIfExists(directory);
            }
        } catch (IOException e) {
            directory.toFile().deleteOnExit();
        }
    }
}
