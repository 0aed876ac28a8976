package dev.siptls.bench.memory;

import dev.siptls.agent.SipTlsAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What one registered agent costs the key server, its TLS connection included: K real agents, each on its
 * own mutual-TLS connection with a TLS server's policy, register with a forked key server; the key server's
 * live heap grows by K times the figure. JAIN-SIP's blocking TLS transport also gives each connection a
 * reader thread, whose stack is native memory and counted apart, as threads.
 */
final class AgentRegistrationMemory {

    /** The figures of one run. */
    record Result(int agents, long heapBefore, long heapAfter, int threadsBefore, int threadsAfter,
            long registered, long policies) {

        long bytesPerAgent() {
            return (heapAfter - heapBefore) / agents;
        }

        double threadsPerAgent() {
            return (threadsAfter - threadsBefore) / (double) agents;
        }
    }

    private AgentRegistrationMemory() {
    }

    static Result run(BenchAgents pki, int agents) throws Exception {
        List<SipTlsAgent> started = new ArrayList<>();
        try (ForkedKeyServer keyServer = ForkedKeyServer.start(pki.ca())) {
            try {
                // One agent first, so that classes and caches the first registration loads are in the baseline.
                started.add(pki.start(keyServer.address(), "warmup", pki.serverPolicy("warmup"), 16));
                BenchAgents.awaitRegistered(started, Duration.ofSeconds(30));
                ForkedKeyServer.Heap before = keyServer.heap();
                for (int i = 0; i < agents; i++) {
                    String user = "agent" + i;
                    started.add(pki.start(keyServer.address(), user, pki.serverPolicy(user), 16));
                }
                BenchAgents.awaitRegistered(started, Duration.ofSeconds(60));
                ForkedKeyServer.Heap after = keyServer.heap();
                ForkedKeyServer.Counts counts = keyServer.counts();
                return new Result(agents, before.usedBytes(), after.usedBytes(), before.threads(), after.threads(),
                        counts.registrations() - 1, counts.policies() - 1);
            } finally {
                closeAll(started);
            }
        }
    }

    /** Closes agents a few at a time: each waits up to a second for its un-REGISTER to be answered. */
    static void closeAll(List<SipTlsAgent> agents) throws InterruptedException {
        ExecutorService closer = Executors.newFixedThreadPool(8);
        agents.forEach(agent -> closer.execute(agent::close));
        closer.shutdown();
        closer.awaitTermination(2, TimeUnit.MINUTES);
    }
}
