package dev.siptls.bench.deployed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.siptls.bench.demo.QuietLogs;
import dev.siptls.bench.deployed.DeployedDistributionBench.Settings;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deployed distribution bench at a tiny size (2 s levels at 1 and 4 in flight): the key server is
 * {@code sip-tls server} in a child JVM. The bench module cannot depend on the CLI (the CLI depends on it), so
 * the child's class path is this test's (the modules just built come first) followed by
 * {@code cli/target/sip-tls.jar} for the CLI's own classes; the test is skipped until that jar is built
 * ({@code mvn -pl cli -am package}).
 */
@Timeout(240)
class DeployedDistributionBenchTest {

    private static final Path CLI_JAR = Path.of("..", "cli", "target", "sip-tls.jar");
    private static final Pattern PID = Pattern.compile("pid (\\d+)");

    @Test
    void everyLevelDistributesSasWithoutAFailureAndTheKeyServerProcessEndsWithTheBench() throws Exception {
        assumeTrue(Files.isRegularFile(CLI_JAR), "sip-tls.jar not built yet: mvn -pl cli -am package");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        DeployedReport report;
        System.setProperty(CliKeyServer.CLASSPATH_PROPERTY, System.getProperty("java.class.path")
                + File.pathSeparator + CLI_JAR.toAbsolutePath().normalize());
        try (QuietLogs quiet = new QuietLogs();
                PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            report = DeployedDistributionBench.run(new Settings(2, 4, List.of(1, 4), 1, 0), out);
        } finally {
            System.clearProperty(CliKeyServer.CLASSPATH_PROPERTY);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.print(text);

        assertEquals(List.of(1, 4), report.levels().stream().map(LevelFigures::inFlight).toList(), text);
        for (LevelFigures level : report.levels()) {
            String at = "at " + level.inFlight() + " in flight:\n" + text;
            assertEquals(0, level.failures(), at);
            assertTrue(level.inWindow() > 0, at);
            assertEquals(level.receivedInLevel(), level.issuedInLevel(), "every SA received was counted issued " + at);
            assertTrue(level.keyServerCpuNanos() > 0 && level.agentsCpuNanos() > 0, at);
            assertTrue(level.liveHeapBytes() > 0, at);
            assertTrue(level.percentileMillis(0.50) <= level.percentileMillis(0.99), at);
        }
        assertEquals(1, report.levels().get(0).agents(), text);
        assertEquals(4, report.levels().get(1).agents(), text);

        List<String[]> rows = text.lines().filter(l -> l.matches("\\|\\s*\\d+ \\|.*")).map(l -> l.split("\\|"))
                .toList();
        assertEquals(2, rows.size(), text);
        for (String[] row : rows) {
            assertEquals(DeployedReport.COLUMNS.length + 1, row.length, text);
            for (int i = 1; i < row.length; i++) {
                assertTrue(row[i].strip().matches("\\d+(\\.\\d+)?"), "cell " + i + " '" + row[i] + "' in\n" + text);
            }
            assertEquals("0", row[5].strip(), "failed column\n" + text);
        }
        assertTrue(text.contains("Failed requests (non-200 or timeout; warm-up, ramps, windows and drains): 0."), text);
        assertTrue(text.contains("key-server capacity when it has the cores to itself = cores / (key-server CPU"
                + " per SA)"), text);

        Matcher pid = PID.matcher(text);
        assertTrue(pid.find(), text);
        assertFalse(ProcessHandle.of(Long.parseLong(pid.group(1))).map(ProcessHandle::isAlive).orElse(false),
                "the key server process outlived the bench");
    }
}
