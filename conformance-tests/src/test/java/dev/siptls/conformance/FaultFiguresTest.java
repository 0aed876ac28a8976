package dev.siptls.conformance;

import static dev.siptls.conformance.ConnectionRecord.Kind.DOWN;
import static dev.siptls.conformance.ConnectionRecord.Kind.FAILED;
import static dev.siptls.conformance.ConnectionRecord.Kind.FULL;
import static dev.siptls.conformance.ConnectionRecord.Kind.NATIVE;
import static dev.siptls.conformance.ConnectionRecord.Kind.SIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.siptls.conformance.ConnectionRecord.Kind;
import dev.siptls.conformance.FaultFigures.Phase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@link ProcessFaultTest} reads a client's connections: the figures its bounds are checked on. */
class FaultFiguresTest {

    private static ConnectionRecord at(long start, Kind kind, long requests) {
        return new ConnectionRecord(start, start + 10, kind, kind == NATIVE ? start / 10 : 0, requests,
                kind == FAILED ? "refused" : "");
    }

    @Test
    void countsOnlyThePhasesConnectionsAndTimesSipFromTheFaultsEnd() {
        List<ConnectionRecord> records = List.of(at(900, SIP, 1), at(1000, FULL, 1), at(1100, NATIVE, 1),
                at(1200, FAILED, 2), at(2000, NATIVE, 2), at(2500, SIP, 3), at(2600, SIP, 3), at(3000, SIP, 3));

        FaultFigures f = FaultFigures.of("c", Phase.withoutKill("p", 1000, 1500, 3000), records);

        assertEquals(List.of(2, 2, 1, 1, 0, 0), List.of(f.sip(), f.nativeResumed(), f.full(), f.failed(), f.down(),
                f.nonSipAfterBack()));
        assertEquals(1.0, f.sipBackSeconds());
        assertEquals(200, f.oldestNativeMillis());
        assertEquals(1, f.requestsUntilBack());
        assertEquals(Map.of("refused", 1), f.failures());
    }

    @Test
    void aFallbackAfterSipCameBackIsCountedAgainstIt() {
        List<ConnectionRecord> records = List.of(at(1000, SIP, 1), at(1100, NATIVE, 1), at(1200, SIP, 2));

        FaultFigures f = FaultFigures.of("c", Phase.withoutKill("p", 0, 1000, 2000), records);

        assertEquals(0.0, f.sipBackSeconds());
        assertEquals(1, f.nonSipAfterBack());
    }

    @Test
    void sipThatNeverCameBackIsNull() {
        FaultFigures f = FaultFigures.of("c", Phase.withoutKill("p", 0, 500, 2000),
                List.of(at(100, SIP, 1), at(600, NATIVE, 1)));

        assertNull(f.sipBackSeconds());
    }

    @Test
    void aFailureInFlightWhenTheTlsServerWasKilledIsCutNotFailed() {
        List<ConnectionRecord> records = List.of(new ConnectionRecord(995, 1010, FAILED, -1, 1, "reset"),
                at(1020, DOWN, 1), at(1030, FAILED, 1), at(1100, SIP, 2));

        FaultFigures f = FaultFigures.of("c", new Phase("p", 990, 1050, 2000, 1000, 1015), records);

        assertEquals(List.of(1, 1, 1), List.of(f.cut(), f.down(), f.failed()));
    }
}
