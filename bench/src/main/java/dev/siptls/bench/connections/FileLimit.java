package dev.siptls.bench.connections;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Raises a process's open-file limit with util-linux {@code prlimit --pid}: every connection is a descriptor
 * on each side, and a usual limit (often 1,024, 20,000 on some machines) caps connections before anything
 * else does. Raising the hard limit needs {@code CAP_SYS_RESOURCE}; without it, or without prlimit, the
 * limit stays as it was and the bench plans within it.
 */
final class FileLimit {

    private FileLimit() {
    }

    /** Tries to set {@code pid}'s soft and hard open-file limits to {@code limit}; the outcome, in words. */
    static String raise(long pid, long limit) {
        ProcessBuilder prlimit = new ProcessBuilder("prlimit", "--pid", Long.toString(pid),
                "--nofile=" + limit + ":" + limit).redirectErrorStream(true);
        try {
            Process p = prlimit.start();
            String output = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "prlimit did not finish";
            }
            return p.exitValue() == 0 ? "raised to " + limit + " by prlimit"
                    : "not raised (prlimit: " + output.replaceFirst("^prlimit: ", "") + ")";
        } catch (IOException e) {
            return "not raised (no prlimit: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not raised (interrupted)";
        }
    }
}
