package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.Security;
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
}
