package dev.siptls.bench.memory;

import dev.siptls.agent.SipTlsAgent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one security association costs, in the key server and in each agent: a client agent asks a forked key
 * server for N SAs with one server agent. The key server relays each and keeps only what refuses replays
 * ({@code ReplayGuard}: the last 65,536 INVITEs); both agents keep every SA in their {@code AssociationStore}
 * (sized above N, SAs living an hour: nothing is evicted or expires while measured). The agents run in
 * this JVM, so their figure is this JVM's live heap growth over the 2N SAs they hold together.
 */
final class AssociationMemory {

    private static final String SERVER_USER = "web";
    private static final int WARM_UP = 50;
    private static final int IN_FLIGHT = 8;
    /** When the "transient" figures are taken: SAs just delivered, JAIN-SIP still holding their transactions. */
    static final Duration JUST_AFTER = Duration.ofSeconds(2);

    /**
     * The figures of one run: live heaps before, just after (JAIN-SIP still holds each SA's finished INVITE
     * transactions and dialogs) and once those are gone ({@code settled}).
     */
    record Result(int associations, Heaps before, Heaps justAfter, Heaps settled, int clientStore,
            int serverStore, long failed) {

        long keyServerBytesPerAssociation() {
            return (settled.keyServer - before.keyServer) / associations;
        }

        /** Each SA is held twice, once by each agent. */
        long agentBytesPerAssociation() {
            return (settled.agents - before.agents) / (2L * associations);
        }

        long keyServerTransientBytesPerAssociation() {
            return (justAfter.keyServer - before.keyServer) / associations;
        }

        long agentTransientBytesPerAssociation() {
            return (justAfter.agents - before.agents) / (2L * associations);
        }

        boolean allHeld() {
            return failed == 0 && clientStore == WARM_UP + associations && serverStore == WARM_UP + associations;
        }
    }

    /** The key server's live heap and this JVM's (the two agents'), at one moment. */
    record Heaps(long keyServer, long agents) {

        static Heaps of(ForkedKeyServer keyServer) throws java.io.IOException {
            return new Heaps(keyServer.heap().usedBytes(), LiveHeap.bytes());
        }
    }

    private AssociationMemory() {
    }

    /**
     * Measures after {@code transactionLinger}, once JAIN-SIP has dropped the SAs' finished INVITE transactions
     * and dialogs (it keeps them about a minute), at both ends and in the key server.
     */
    static Result run(BenchAgents pki, int associations, Duration transactionLinger) throws Exception {
        int capacity = WARM_UP + associations + 100;
        try (ForkedKeyServer keyServer = ForkedKeyServer.start(pki.ca())) {
            SipTlsAgent server = pki.start(keyServer.address(), SERVER_USER, pki.serverPolicy("www"), capacity);
            SipTlsAgent client = null;
            try {
                client = pki.start(keyServer.address(), "client", pki.clientPolicy(), capacity);
                BenchAgents.awaitRegistered(List.of(server, client), Duration.ofSeconds(30));
                AtomicLong failed = new AtomicLong();
                distribute(client, WARM_UP, failed);
                Thread.sleep(transactionLinger.toMillis());
                Heaps before = Heaps.of(keyServer);
                long lastSent = distribute(client, associations, failed);
                sleepUntil(lastSent + JUST_AFTER.toNanos());
                Heaps justAfter = Heaps.of(keyServer);
                sleepUntil(lastSent + transactionLinger.toNanos());
                Heaps settled = Heaps.of(keyServer);
                return new Result(associations, before, justAfter, settled, client.associations().size(),
                        server.associations().size(), failed.get());
            } finally {
                AgentRegistrationMemory.closeAll(client == null ? List.of(server) : List.of(client, server));
            }
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** Distributes {@code count} SAs; returns when the last was answered ({@code System.nanoTime()}). */
    private static long distribute(SipTlsAgent client, int count, AtomicLong failed) throws InterruptedException {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        for (int i = 0; i < count; i++) {
            slots.acquire();
            client.requestAssociation(BenchAgents.aor(SERVER_USER)).whenComplete((sa, error) -> {
                if (error != null) {
                    failed.incrementAndGet();
                }
                slots.release();
            });
        }
        if (!slots.tryAcquire(IN_FLIGHT, 1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("SA requests still unanswered after a minute");
        }
        return System.nanoTime();
    }
}
