package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import dev.siptls.protocol.HostPort;
import java.security.Security;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The application commands in a JVM without the provider installed (the working case: ThreeProcessesTest). */
class HttpsCommandsTest {

    @Test
    void withoutTheProviderInstalledTheySaySoInOneLine() {
        assumeTrue(Security.getProvider(InstalledProvider.NAME) == null, "this JVM has the provider installed");
        for (String[] args : new String[][] {{"https-get", "https://localhost:1/"},
                {"https-server", "localhost:1", "--key-store", "missing.p12"}}) {
            StringWriter err = new StringWriter();
            CommandLine cl = SipTlsCommand.commandLine();
            cl.setOut(new PrintWriter(new StringWriter()));
            cl.setErr(new PrintWriter(err));

            assertEquals(1, cl.execute(args), args[0]);
            assertEquals(1, err.toString().lines().count(), err.toString());
            assertTrue(err.toString().contains("-Djava.security.properties=") && err.toString().contains("java.security"),
                    err.toString());
        }
    }

    @Test
    void theServerWarnsWhenItListensWhereTheEnrolmentServesNothing() {
        List<HostPort> serve = List.of(HostPort.parse("localhost:18460"));

        String warning = HttpsServerCommand.notServed(HostPort.parse("localhost:18461"), serve).orElseThrow();
        assertEquals(1, warning.lines().count(), warning);
        assertTrue(warning.contains("localhost:18461") && warning.contains("(localhost:18460)")
                && warning.contains("--serve"), warning);
        assertTrue(HttpsServerCommand.notServed(HostPort.parse("localhost:18460"), List.of()).isPresent());
        // the same listener under another name than the enrolment's is not warned about
        for (String same : List.of("localhost:18460", "LOCALHOST:18460", "127.0.0.1:18460", "0.0.0.0:18460")) {
            assertEquals(Optional.empty(), HttpsServerCommand.notServed(HostPort.parse(same), serve), same);
        }
    }
}
