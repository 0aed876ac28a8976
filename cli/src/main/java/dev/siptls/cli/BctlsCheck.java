package dev.siptls.cli;

import dev.siptls.provider.SipTlsHealth;
import dev.siptls.provider.SipTlsProvider;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Part 4 of {@code sip-tls check}: which bctls this JVM found, in which jar, and whether the provider's pinned
 * BCJSSE session bridge (the one class that reaches into BCJSSE's internals) fits it, as the provider's own
 * start-up check sees it.
 */
final class BctlsCheck {

    private static final String BCJSSE_CLASS = "org/bouncycastle/jsse/provider/BouncyCastleJsseProvider.class";

    private final CheckReport report;

    BctlsCheck(CheckReport report) {
        this.report = report;
    }

    void run() {
        List<String> jars = jars();
        SipTlsHealth health = new SipTlsProvider().health(); // unconfigured: the bridge check alone
        String where = jars.isEmpty() ? "" : " (jar: " + jars.get(0) + ")";
        if (health.bridgeCompatible()) {
            report.ok(health.bridgeMessage() + where);
        } else {
            report.fail(health.bridgeMessage() + where, null);
        }
        if (jars.size() > 1) {
            report.warn("BCJSSE is on the class path " + jars.size() + " times (" + String.join(", ", jars)
                    + "): the first one wins", "keep one bctls jar");
        }
    }

    /** Where BCJSSE's classes come from, first the one that is used. */
    private static List<String> jars() {
        List<String> found = new ArrayList<>();
        try {
            for (URL url : Collections.list(SipTlsProvider.class.getClassLoader().getResources(BCJSSE_CLASS))) {
                found.add(url.openConnection() instanceof JarURLConnection jar
                        ? jar.getJarFileURL().getPath() : url.getPath());
            }
        } catch (IOException e) {
            // nothing to add: the bridge check says what it found
        }
        return found;
    }
}
