package dev.siptls.bench.deployed;

import dev.siptls.bench.ChildJvm;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateAuthority.KeyType;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key server started as a deployer starts it: {@code sip-tls server --config FILE --bind 127.0.0.1 --port 0
 * --data-dir DIR} in a JVM of its own, with no JVM options, its identity in a PKCS#12 key store named by the
 * configuration file and the store's password in {@code SIPTLS_KEYSTORE_PASSWORD}. The key server's class path
 * is this JVM's (the bench runs from {@code sip-tls.jar}, which holds the CLI), or
 * {@code -Dsiptls.bench.keyServerClasspath}. Its output is drained at all times (the last lines kept for
 * errors); it is killed when {@link #close} runs, by a shutdown hook if this JVM ends first, and by itself
 * ({@link ParentBoundMain}, which calls the CLI's {@code main} unchanged) if this JVM is killed outright.
 * {@link #launch} starts one on a configuration of the caller's (a node of a cluster), which it can also kill
 * with SIGKILL, or stop and continue.
 */
public final class CliKeyServer implements AutoCloseable {

    /** The class {@code sip-tls} (and so {@code java -jar sip-tls.jar}) runs. */
    static final String CLI_MAIN = "dev.siptls.cli.SipTlsCommand";
    static final String CLASSPATH_PROPERTY = "siptls.bench.keyServerClasspath";
    static final String NAME = "deployed-bench";
    private static final Pattern LISTENING = Pattern.compile("listening on tls:([0-9.]+):(\\d+)");
    private static final long START_SECONDS = 60;
    private static final int KEPT_LINES = 50;
    /** Protects only throw-away bench keys in a private temporary directory. */
    private static final char[] STORE_PASSWORD = "deployed-bench".toCharArray();

    private final Process process;
    /** Removed on close: the files this class wrote; null when the caller's. */
    private final Path directory;
    private final Thread killer;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private final CountDownLatch listening = new CountDownLatch(1);
    /** Where every line is appended too; null for none. */
    private final Path log;
    /** Lines that must also have been printed before the key server counts as started. */
    private final List<Pattern> awaited;
    private final CountDownLatch ready;
    private volatile InetSocketAddress address;

    private CliKeyServer(Process process, Path directory, Thread killer, List<Pattern> awaited, Path log) {
        this.process = process;
        this.log = log;
        this.directory = directory;
        this.killer = killer;
        this.awaited = List.copyOf(awaited);
        this.ready = new CountDownLatch(awaited.size());
    }

    /** Issues the key server's certificate (127.0.0.1, localhost) from {@code ca} and starts it. */
    static CliKeyServer start(CertificateAuthority ca) throws Exception {
        String classpath = System.getProperty(CLASSPATH_PROPERTY, System.getProperty("java.class.path"));
        requireCli(classpath);
        Path dir = Files.createTempDirectory("sip-tls-deployed-bench");
        CertificateAuthority.write(ca.issue("keyserver", List.of("127.0.0.1", "localhost"), KeyType.EC_P256,
                STORE_PASSWORD), dir.resolve("keyserver.p12"), STORE_PASSWORD);
        CertificateAuthority.write(ca.trustStore(), dir.resolve("trust.p12"), STORE_PASSWORD);
        Path config = dir.resolve("keyserver.properties");
        Files.writeString(config, "keystore=keyserver.p12\ntruststore=trust.p12\nname=" + NAME + "\n",
                StandardCharsets.UTF_8);
        return start(classpath, List.of("--config", config.toString(), "--bind", "127.0.0.1", "--port", "0",
                "--data-dir", dir.resolve("data").toString()), new String(STORE_PASSWORD), dir, List.of(), null);
    }

    /**
     * Starts {@code sip-tls server} with {@code arguments} (after {@code server}), the files they name being the
     * caller's (kept on close), and waits until it listens and has printed a line matching each of
     * {@code awaited} too (e.g. that it joined its cluster).
     *
     * @param keystorePassword for {@code SIPTLS_KEYSTORE_PASSWORD}, or null
     * @param log              a file every line of its output is appended to, or null
     */
    public static CliKeyServer launch(List<String> arguments, String keystorePassword, List<Pattern> awaited,
            Path log) throws Exception {
        String classpath = System.getProperty(CLASSPATH_PROPERTY, System.getProperty("java.class.path"));
        requireCli(classpath);
        return start(classpath, arguments, keystorePassword, null, awaited, log);
    }

    private static CliKeyServer start(String classpath, List<String> arguments, String keystorePassword,
            Path ownDirectory, List<Pattern> awaited, Path log) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath,
                ParentBoundMain.class.getName(), CLI_MAIN, "server"));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (keystorePassword != null) {
            builder.environment().put("SIPTLS_KEYSTORE_PASSWORD", keystorePassword);
        }
        Process process = builder.start();
        Thread killer = new Thread(process::destroyForcibly, "deployed-bench-key-server-killer");
        Runtime.getRuntime().addShutdownHook(killer);
        CliKeyServer server = new CliKeyServer(process, ownDirectory, killer, awaited, log);
        try {
            server.drain(process.getInputStream());
            server.awaitListening();
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Fails at once, with what to do, when the class path cannot run {@code sip-tls server}. */
    private static void requireCli(String classpath) throws IOException {
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                try {
                    urls.add(Path.of(entry).toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new IOException("unusable class path entry " + entry, e);
                }
            }
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), null)) {
            if (loader.findResource(CLI_MAIN.replace('.', '/') + ".class") == null) {
                throw new IllegalStateException("the key server runs as 'sip-tls server', whose class " + CLI_MAIN
                        + " is not on the class path: run the bench from sip-tls.jar or set -D" + CLASSPATH_PROPERTY
                        + "=<path of sip-tls.jar>");
            }
        }
    }

    private void drain(InputStream output) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8));
                    java.io.Writer copy = log == null ? java.io.Writer.nullWriter() : Files.newBufferedWriter(log,
                            StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    keep(line);
                    copy.write(line + "\n");
                    copy.flush();
                    Matcher m = LISTENING.matcher(line);
                    if (address == null && m.find()) {
                        address = new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
                        listening.countDown();
                    }
                    for (Pattern p : awaited) {
                        if (p.matcher(line).find()) {
                            ready.countDown();
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone: awaitListening or the next request says so
            }
            listening.countDown();
            while (ready.getCount() > 0) {
                ready.countDown();
            }
        }, "deployed-bench-key-server-output");
        reader.setDaemon(true);
        reader.start();
    }

    private synchronized void keep(String line) {
        if (lastLines.size() == KEPT_LINES) {
            lastLines.removeFirst();
        }
        lastLines.addLast(line);
    }

    /** The last lines the key server wrote, for error messages. */
    public synchronized String output() {
        return String.join("\n", lastLines);
    }

    private void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        if (!listening.await(START_SECONDS, TimeUnit.SECONDS) || address == null
                || !ready.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS) || !process.isAlive()) {
            throw new IOException("sip-tls server did not start" + (process.isAlive() ? " in " + START_SECONDS + " s"
                    : " (exit " + process.exitValue() + ")") + ":\n" + output());
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the key server outright (SIGKILL on Linux: no shutdown hook runs) and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Sends the key server's process {@code SIGSTOP} (true) or {@code SIGCONT} (false) with {@code kill}: a hung
     * node, its sockets open and silent.
     */
    public void suspend(boolean stop) throws IOException, InterruptedException {
        Process signal = new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        if (signal.waitFor() != 0) {
            throw new IOException("kill " + (stop ? "-STOP" : "-CONT") + " " + process.pid() + ": "
                    + new String(signal.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Stops the key server as Ctrl-C would, kills it if it has not ended within seconds, removes its files. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                suspend(false); // a stopped JVM would not see SIGTERM before the wait ends
            } catch (IOException e) {
                // destroyForcibly below still ends it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process.destroy();
        ChildJvm.awaitOrKill(process, killer);
        if (directory != null) {
            delete(directory);
        }
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            dir.toFile().deleteOnExit();
        }
    }
}
