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
 * {@code sip-tls bench --only cluster} at a tiny size (a key server alone, then 1 and 3 nodes, 2 s windows): the
 * nodes are {@code sip-tls server} in child JVMs started from this module's class path, the agents in this one.
 * Checks the table is whole, no request failed outside the kill, the 3-node run relayed SAs between nodes and the
 * others none, the killed node's agents all registered again, and no node's process outlived the bench.
 */
@Timeout(300)
class ClusterBenchCommandTest {

    private static final Pattern PIDS = Pattern.compile("pids ([0-9, ]+),");
    private static final Pattern ROW = Pattern.compile("\\|\\s*(\\d+|alone) \\|.*");
    private static final Pattern KILL = Pattern.compile("kill -9 of 1 node of 3 under that load: (\\d+) agents on it, "
            + "the last registered with another node (-?\\d+) ms after");

    @Test
    void oneAndThreeNodesDistributeSasAndTheKilledNodesAgentsComeBack() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            exit = SipTlsCommand.commandLine().execute("bench", "--only", "cluster", "--seconds", "2",
                    "--cluster-nodes", "1,3", "--cluster-load", "3:3:2", "--warm-up", "2");
        } finally {
            System.setOut(original);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(0, exit, text);

        List<String[]> rows = text.lines().filter(l -> ROW.matcher(l).matches()).map(l -> l.split("\\|")).toList();
        assertEquals(3, rows.size(), text);
        assertEquals("alone", rows.get(0)[1].strip(), text);
        assertEquals("1", rows.get(1)[1].strip(), text);
        assertEquals("3", rows.get(2)[1].strip(), text);
        for (String[] row : rows) {
            assertEquals(10, row.length, text);
            assertTrue(Double.parseDouble(row[2].strip()) > 0, "SAs/s\n" + text);
            assertTrue(Double.parseDouble(row[6].strip()) > 0, "key-server CPU per SA\n" + text);
            assertEquals("0", row[9].strip(), "failed column\n" + text);
        }
        assertEquals("0%", rows.get(0)[8].strip(), "a key server alone relays nothing\n" + text);
        assertEquals("0%", rows.get(1)[8].strip(), "one node relays nothing\n" + text);
        assertFalse(rows.get(2)[8].strip().equals("0%"), "three nodes relay between them\n" + text);

        Matcher kill = KILL.matcher(text);
        assertTrue(kill.find(), text);
        assertTrue(Integer.parseInt(kill.group(1)) > 0, text);
        assertTrue(Long.parseLong(kill.group(2)) >= 0, "every agent of the killed node registered again\n" + text);

        Matcher pids = PIDS.matcher(text);
        int runs = 0;
        while (pids.find()) {
            runs++;
            for (String pid : pids.group(1).split(",\\s*")) {
                assertFalse(ProcessHandle.of(Long.parseLong(pid.strip())).map(ProcessHandle::isAlive).orElse(false),
                        "node process " + pid + " outlived the bench");
            }
        }
        assertEquals(3, runs, text);
    }
}
