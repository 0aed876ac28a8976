package dev.siptls.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process (an external tool or a child JVM) whose merged output is collected as it comes, so that a
 * test can wait for a line, write to its input, and always get everything it printed for the failure message.
 * {@link #close()} ends it (and its descendants) if it is still running.
 */
final class ExternalProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Thread pump;

    private ExternalProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.pump = new Thread(this::pump, "output-of-" + name);
        this.pump.setDaemon(true);
        this.pump.start();
    }

    static ExternalProcess start(List<String> command, Path directory, Map<String, String> environment)
            throws IOException {
        return start(Path.of(command.get(0)).getFileName().toString(), command, directory, environment);
    }

    /** As {@link #start(List, Path, Map)}, named {@code name} in messages (e.g. which of several JVMs). */
    static ExternalProcess start(String name, List<String> command, Path directory, Map<String, String> environment)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().putAll(environment);
        return new ExternalProcess(name, builder.start());
    }

    static ExternalProcess start(List<String> command) throws IOException {
        return start(command, null, Map.of());
    }

    private void pump() {
        byte[] buffer = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                synchronized (output) {
                    output.write(buffer, 0, n);
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended or was destroyed: what was read is kept
        } finally {
            synchronized (output) {
                output.notifyAll();
            }
        }
    }

    /** Everything printed so far (stdout and stderr). */
    String output() {
        synchronized (output) {
            return output.toString(StandardCharsets.UTF_8);
        }
    }

    /** Waits until the output satisfies {@code condition}; false if the process ends first or time runs out. */
    boolean awaitOutput(Predicate<String> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (output) {
            while (!condition.test(output.toString(StandardCharsets.UTF_8))) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !pump.isAlive()) {
                    return condition.test(output.toString(StandardCharsets.UTF_8));
                }
                output.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            return true;
        }
    }

    void write(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    void closeInput() throws IOException {
        process.getOutputStream().close();
    }

    /** Waits for the exit code; -1 (and the process destroyed) if it does not end in time. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            return -1;
        }
        pump.join(timeout.toMillis());
        return process.exitValue();
    }

    /** Asks the process to end (SIGTERM), as an operator's Ctrl-C would, and waits for it. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return awaitExit(timeout);
    }

    long pid() {
        return process.pid();
    }

    /**
     * Sends {@code signal} (e.g. {@code STOP}, {@code CONT}) with the system's {@code kill}, as an operator or a
     * hung machine would; no-op if the process has ended.
     */
    void signal(String signal) throws IOException, InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IOException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            pump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + "]";
    }
}
