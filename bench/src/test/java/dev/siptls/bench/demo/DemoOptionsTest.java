package dev.siptls.bench.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

    @Test
    void defaultsAreThePapersCasesWithFourTerminalsAndThreeApplications() {
        DemoOptions options = DemoOptions.builder().build();
        assertEquals(4, options.terminals());
        assertEquals(3, options.applications());
        assertEquals(16, options.maxTerminalsForPlot());
        assertEquals("sip-tls-report", options.reportDirectory().toString());
    }

    @Test
    void sweepRunsFromTwoTerminalsToTheMaximum() {
        List<Integer> sweep = DemoOptions.builder().maxTerminalsForPlot(11).build().sweep();
        assertEquals(2, sweep.get(0));
        assertEquals(11, sweep.get(sweep.size() - 1));
        assertTrue(sweep.stream().allMatch(n -> n >= 2 && n <= 11), sweep.toString());
    }

    @Test
    void refusesFewerThanTwoTerminals() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DemoOptions.builder().terminals(1).build());
        assertTrue(e.getMessage().contains("terminals"), e.getMessage());
    }

    @Test
    void refusesASingleConnectionPerPairSinceLaterConnectionsAreMeasured() {
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.builder().connectionsPerPair(1).build());
    }
}
