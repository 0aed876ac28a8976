package dev.siptls.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.bench.ClientTerminal.Outcome;
import org.junit.jupiter.api.Test;

class LoadBenchTest {

    @Test
    void everyConnectionResumesOrFallsBackCountedAndNoThreadOutlivesTheRun() throws Exception {
        LoadReport report = LoadBench.run(new Load(6, 5, 3, 4));
        LoadFigures figures = report.figures();

        assertEquals(0, figures.errors(), () -> "errors: " + figures.clientErrors() + " " + figures.serverErrors());
        assertEquals(30, figures.outcome(Outcome.SIP_RESUMED) + figures.outcome(Outcome.FULL_HANDSHAKE));
        assertEquals(figures.outcome(Outcome.FULL_HANDSHAKE), figures.countedClientFallbacks(),
                () -> "fallbacks by reason: " + figures.clientFallbacks());
        assertEquals(30, figures.echoesServed());
        assertTrue(figures.associationsIssued() > 0, "no SA issued");
        assertTrue(figures.inviteAnswers() >= figures.associationsIssued(), "the key server timed every SA it issued");
        assertTrue(report.after().threadsSince(report.cold()).isEmpty(),
                () -> "threads left: " + report.after().threadsSince(report.cold()));
    }
}
