package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sip-tls bench --only deployed} at a tiny size (2 s levels at 1 and 4 in flight): the key server is
 * {@code sip-tls server} in a child JVM started from this module's class path, the agents in this one. Checks the
 * table is whole, no request failed, every client agent's SA was counted issued by the key server, and the key
 * server's process ends with the bench.
 */
@Timeout(240)
class DeployedBenchCommandTest {

    private static final Pattern PID = Pattern.compile("pid (\\d+)");
    private static final Pattern ROW = Pattern.compile("\\|\\s*\\d+ \\|.*");

    @Test
    void everyLevelDistributesSasWithoutAFailureAndTheKeyServerEndsWithTheBench() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            exit = SipTlsCommand.commandLine().execute("bench", "--only", "deployed", "--seconds", "2",
                    "--levels", "1,4", "--deployed-clients", "4", "--warm-up", "1", "--settle", "0");
        } finally {
            System.setOut(original);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(0, exit, text);

        List<String[]> rows = text.lines().filter(l -> ROW.matcher(l).matches()).map(l -> l.split("\\|")).toList();
        assertEquals(2, rows.size(), text);
        assertEquals("1", rows.get(0)[1].strip(), text);
        assertEquals("4", rows.get(1)[1].strip(), text);
        for (String[] row : rows) {
            assertEquals(12, row.length, text);
            for (int i = 1; i < row.length; i++) {
                assertTrue(row[i].strip().matches("\\d+(\\.\\d+)?"), "cell " + i + " '" + row[i] + "' in\n" + text);
            }
            assertTrue(Long.parseLong(row[4].strip()) > 0, "SAs in the window\n" + text);
            assertEquals("0", row[5].strip(), "failed column\n" + text);
            assertTrue(Double.parseDouble(row[8].strip()) > 0, "key-server CPU per SA\n" + text);
            assertTrue(Double.parseDouble(row[6].strip()) <= Double.parseDouble(row[7].strip()), "p50 <= p99\n" + text);
        }
        assertTrue(text.contains("Failed requests (non-200 or timeout; warm-up, ramps, windows and drains): 0."), text);
        assertFalse(text.contains("the key server counted"), "SAs received but not counted issued\n" + text);

        Matcher pid = PID.matcher(text);
        assertTrue(pid.find(), text);
        assertFalse(ProcessHandle.of(Long.parseLong(pid.group(1))).map(ProcessHandle::isAlive).orElse(false),
                "the key server process outlived the bench");
    }
}
