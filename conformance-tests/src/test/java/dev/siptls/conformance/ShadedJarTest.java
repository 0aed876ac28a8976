package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.siptls.cli.SipTlsCommand;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shaded {@code sip-tls.jar} that deployers copy (Tomcat's {@code lib}, {@code java -jar}): its manifest is
 * the CLI's, not bctls's, yet SIP-TLS must still tell which bctls it holds, and so not warn of a bctls "of
 * unknown version" at start-up and at every context init.
 */
@Timeout(60)
class ShadedJarTest {

    @Test
    void tellsTheBctlsVersionItHoldsAndWarnsOfNone() throws Exception {
        Path jar = shadedJar();
        Path probe = Path.of(ShadedJarProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar + File.pathSeparator + probe, ShadedJarProbe.class.getName());
        try (ExternalProcess child = ExternalProcess.start(command)) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(45)), child.output());
            String output = child.output();

            assertEquals("bctls version: 1.84", output.lines().filter(l -> l.startsWith("bctls version:"))
                    .findFirst().orElse(output));
            assertFalse(output.contains("WARNING"), output);
        }
    }

    /**
     * {@code cli/target/sip-tls.jar}, beside the CLI's own jar that this module's tests get once the reactor
     * has packaged the CLI ({@code mvn verify}); without packaging there is no shaded jar to test.
     */
    private static Path shadedJar() throws Exception {
        Path cli = Path.of(SipTlsCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assumeTrue(Files.isRegularFile(cli), "the CLI is not packaged in this build (" + cli.getFileName()
                + "): sip-tls.jar is made at the package phase, so run mvn verify");
        Path shaded = cli.resolveSibling("sip-tls.jar");
        assertTrue(Files.isRegularFile(shaded), "the CLI is packaged but " + shaded.getFileName() + " is missing");
        return shaded;
    }
}
