package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's "Three processes in five commands", run as written: the commands are read from README.md between its
 * markers (so the two cannot drift) and each runs as a child JVM in an empty directory. Only what cannot be run
 * as written on a shared machine is changed: {@code ./sip-tls} and {@code -jar cli/target/sip-tls.jar} become this
 * test's class path (the jar is built after the tests), the key server gets {@code --port 0} and the enrolments its
 * real address ({@code --key-server}), and port 8443 becomes a free port. A command ending in {@code &} runs in the
 * background and the next one starts once it printed its "listening" line, as a person waits for it.
 */
class ThreeProcessesTest {

    private static final String BEGIN = "<!-- three-processes:begin";
    private static final String END = "<!-- three-processes:end";
    private static final Pattern KEY_SERVER = Pattern.compile("listening on tls:([0-9.]+:\\d+)");
    private static final Pattern REQUEST = Pattern.compile("request (\\d+): (\\d+), .*");

    @TempDir
    Path temp;

    private final List<Process> background = new ArrayList<>();

    @AfterEach
    void stopBackground() throws InterruptedException {
        for (int i = background.size() - 1; i >= 0; i--) {
            Process p = background.get(i);
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void theReadmesCommandsStartAKeyServerATlsServerAndAClientWhoseRequestsResumeViaSip() throws Exception {
        List<String> commands = readmeCommands();
        assertEquals(5, commands.size(), "five commands: " + commands);
        String port = Integer.toString(freePort());
        String keyServer = null;
        Child keyServerProcess = null;
        Child tlsServer = null;
        Child client = null;
        for (String line : commands) {
            List<String> tokens = new ArrayList<>(Arrays.asList(line.trim().split("\\s+")));
            boolean inBackground = tokens.get(tokens.size() - 1).equals("&");
            if (inBackground) {
                tokens.remove(tokens.size() - 1);
            }
            List<String> jvmOptions = new ArrayList<>();
            List<String> args;
            if (tokens.get(0).equals("./sip-tls")) {
                args = new ArrayList<>(tokens.subList(1, tokens.size()));
            } else {
                assertEquals("java", tokens.get(0), line);
                int jar = tokens.indexOf("-jar");
                assertEquals("cli/target/sip-tls.jar", tokens.get(jar + 1), line);
                jvmOptions.addAll(tokens.subList(1, jar));
                args = new ArrayList<>(tokens.subList(jar + 2, tokens.size()));
            }
            args.replaceAll(a -> a.replace("localhost:8443", "localhost:" + port));
            switch (args.get(0)) {
                case "server" -> args.addAll(List.of("--port", "0"));
                case "enroll" -> args.addAll(List.of("--key-server", keyServer));
                default -> { }
            }
            Child child = Child.start(temp, jvmOptions, args);
            if (inBackground) {
                background.add(child.process);
                child.awaitLine(l -> l.contains("listening on"), line);
            } else {
                child.awaitExit(line);
            }
            switch (args.get(0)) {
                case "server" -> {
                    Matcher m = KEY_SERVER.matcher(child.stdout());
                    assertTrue(m.find(), child.stdout());
                    keyServer = m.group(1);
                    keyServerProcess = child;
                }
                case "https-server" -> tlsServer = child;
                case "https-get" -> client = child;
                default -> { }
            }
        }
        assertTrue(keyServerProcess != null && tlsServer != null && client != null, commands.toString());

        // The key server printed the README's enrolments with its real address filled in.
        assertTrue(keyServerProcess.stdout().contains("enroll sip:web@example.com --serve localhost:8443 --out web"
                + " --key-server " + keyServer), keyServerProcess.stdout());
        assertTrue(keyServerProcess.stdout().contains("enroll sip:app@example.com --out app --key-server " + keyServer),
                keyServerProcess.stdout());

        List<String> requests = client.lines.stream().filter(l -> REQUEST.matcher(l).matches()).toList();
        assertEquals(3, requests.size(), client.stdout() + client.stderr());
        for (String request : requests) {
            Matcher m = REQUEST.matcher(request);
            assertTrue(m.matches());
            assertEquals("200", m.group(2), request);
            if (!m.group(1).equals("1")) {
                assertTrue(request.contains("resumed via SIP"), client.stdout());
            }
        }
        assertTrue(client.stdout().contains("Hello from an HTTPS server"), client.stdout());
        // The server's line for the last request may follow the client's exit by a moment.
        Child served = tlsServer;
        served.awaitLine(l -> served.lines.stream().filter(s -> s.startsWith("GET / from")).count() == 3,
                "three requests served");
        assertFalse(tlsServer.stderr().contains("Exception"), tlsServer.stderr());
        assertFalse(tlsServer.stderr().contains("warning"), "it listens where it was enrolled: " + tlsServer.stderr());
    }

    /** The lines of the shell block between README's markers. */
    static List<String> readmeCommands() throws IOException {
        String readme = Files.readString(readme());
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "README.md has no three-processes markers");
        return readme.substring(begin, end).lines().skip(1)
                .filter(l -> !l.isBlank() && !l.startsWith("```") && !l.startsWith("#")).toList();
    }

    private static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("sip-tls"))) {
                return dir.resolve("README.md");
            }
        }
        throw new AssertionError("no README.md above " + Path.of("").toAbsolutePath());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A {@code sip-tls} command in a child JVM on this test's class path, its output read as it comes. */
    private static final class Child {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final StringBuffer errors = new StringBuffer();
        private final Thread[] readers;

        private Child(Process process) {
            this.process = process;
            this.readers = new Thread[] {reader(process.getInputStream(), lines::add),
                reader(process.getErrorStream(), l -> errors.append(l).append('\n'))};
        }

        static Child start(Path dir, List<String> jvmOptions, List<String> args) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), SipTlsCommand.class.getName()));
            command.addAll(args);
            return new Child(new ProcessBuilder(command).directory(dir.toFile()).start());
        }

        void awaitLine(Predicate<String> wanted, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (lines.stream().noneMatch(wanted)) {
                if (!process.isAlive() && !readers[0].isAlive()) {
                    throw new AssertionError(what + ": exited " + process.exitValue() + "\n" + stdout() + stderr());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(what + ": not seen within 30 s\n" + stdout() + stderr());
                }
                Thread.sleep(50);
            }
        }

        void awaitExit(String what) throws InterruptedException {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(what + ": still running after 30 s\n" + stdout() + stderr());
            }
            for (Thread reader : readers) {
                reader.join(5_000);
            }
            assertEquals(0, process.exitValue(), what + "\n" + stdout() + stderr());
        }

        String stdout() {
            return String.join("\n", lines) + "\n";
        }

        String stderr() {
            return errors.toString();
        }

        private static Thread reader(InputStream in, java.util.function.Consumer<String> sink) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        sink.accept(line);
                    }
                } catch (IOException e) {
                    sink.accept("(unreadable: " + e + ")");
                }
            }, "child-output");
            t.setDaemon(true);
            t.start();
            return t;
        }
    }
}
