package dev.siptls.bench.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The memory bench end to end on a small load: behaviour only, the figures are the bench's to report. */
class MemoryBenchTest {

    @Test
    void registersEveryAgentAndAorAndHoldsEverySaThenLeavesNoKeyServerProcess() throws Exception {
        MemoryBench.Report report = MemoryBench.run(
                new MemoryBench.Settings(5, 1_000, 50, 250, 64, Duration.ofMillis(500)));

        AgentRegistrationMemory.Result agents = report.agents();
        assertEquals(5, agents.registered());
        assertEquals(5, agents.policies());
        assertTrue(agents.heapAfter() > agents.heapBefore(), "agents grew the key server's heap");

        ManyRegistrationsMemory.Result many = report.registrations();
        assertEquals(4, many.connections());
        assertTrue(many.alive(), "key server still answering");
        assertTrue(many.allAccepted(), "every REGISTER and MESSAGE answered 200: " + many);
        assertTrue(many.bytesPerRegistration() > 0);

        AssociationMemory.Result sas = report.associations();
        assertTrue(sas.allHeld(), "both stores hold every SA: " + sas);
        assertTrue(sas.agentBytesPerAssociation() > 0);

        assertEquals(0, ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count(),
                "no key server process left behind");
    }
}
