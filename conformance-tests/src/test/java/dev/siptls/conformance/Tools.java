package dev.siptls.conformance;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The external peers these tests run (OpenSSL, sipp, stunnel). A test that needs one calls {@link #require}
 * first: without the tool it is skipped with a message that says which Debian package to install, rather
 * than failing on a machine that lacks it or passing without having run.
 */
final class Tools {

    /** A tool, how to ask it for its version, and the Debian/Ubuntu package that installs it. */
    enum Tool {
        OPENSSL("openssl", "openssl", "version"),
        SIPP("sip-tester", "sipp", "-v"),
        STUNNEL("stunnel4", "stunnel", "-version");

        final String debianPackage;
        final List<String> probe;

        Tool(String debianPackage, String... probe) {
            this.debianPackage = debianPackage;
            this.probe = List.of(probe);
        }

        String command() {
            return probe.get(0);
        }
    }

    private static final Map<Tool, String> FOUND = new ConcurrentHashMap<>();

    private Tools() {
    }

    /** Skips the calling test, loudly, unless {@code tool} runs here; returns its version line. */
    static String require(Tool tool) {
        String version = FOUND.computeIfAbsent(tool, Tools::probe);
        if (version.isEmpty()) {
            String message = "SKIPPED: '" + tool.command() + "' is not installed; install the Debian/Ubuntu package "
                    + tool.debianPackage + " (apt-get install -y " + tool.debianPackage + ") to run this conformance test";
            System.err.println(message);
            Assumptions.abort(message);
        }
        return version;
    }

    private static String probe(Tool tool) {
        List<String> command = new ArrayList<>(tool.probe);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
            String first = out.lines().filter(l -> !l.isBlank()).findFirst().orElse(tool.command());
            return first.strip();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
