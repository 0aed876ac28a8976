package dev.siptls.bench.memory;

import dev.siptls.protocol.XmlCodec;
import dev.siptls.sip.TlsIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether 100,000 registrations, each with a TLS server's policy, fit in the key server's 512 MiB heap, and
 * what one costs: real REGISTERs and policy MESSAGEs for every AOR, over a few hundred mutual-TLS
 * connections that each prove a block of AORs ({@link EdgeProxyConnection}), with a bounded number in
 * flight. The figure includes the connections, spread over all registrations.
 */
final class ManyRegistrationsMemory {

    /** Registrations are asked for an hour: none expires while the bench runs. */
    private static final int EXPIRES_SECONDS = 3600;

    /** The figures of one run; {@code alive}: the key server still answered after the load (no OOM). */
    record Result(int registrations, int connections, int aorsPerConnection, ForkedKeyServer.Heap before,
            ForkedKeyServer.Heap after, ForkedKeyServer.Counts counts, long registerOk, long publishOk,
            long failed, double registerSeconds, double publishSeconds, boolean alive) {

        long bytesPerRegistration() {
            return (after.usedBytes() - before.usedBytes()) / registrations;
        }

        boolean allAccepted() {
            return failed == 0 && registerOk == registrations && publishOk == registrations
                    && counts.registrations() == registrations && counts.policies() == registrations;
        }
    }

    private ManyRegistrationsMemory() {
    }

    static Result run(BenchAgents pki, int registrations, int aorsPerConnection, int inFlight) throws Exception {
        int connections = (registrations + aorsPerConnection - 1) / aorsPerConnection;
        List<TlsIdentity> identities = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            List<String> aors = new ArrayList<>();
            for (int i = c * aorsPerConnection; i < Math.min(registrations, (c + 1) * aorsPerConnection); i++) {
                aors.add(BenchAgents.aor(user(i)));
            }
            identities.add(pki.identity("edge" + c, aors));
        }
        XmlCodec codec = new XmlCodec();
        List<EdgeProxyConnection> edges = new ArrayList<>();
        try (ForkedKeyServer keyServer = ForkedKeyServer.start(pki.ca())) {
            try {
                for (TlsIdentity identity : identities) {
                    edges.add(EdgeProxyConnection.open(identity, keyServer.address()));
                }
                ForkedKeyServer.Heap before = keyServer.heap();
                AtomicLong failed = new AtomicLong();
                int[] order = acrossConnections(registrations, connections, aorsPerConnection);
                Load registering = new Load(inFlight, failed);
                registering.drive(order, i -> edges.get(i / aorsPerConnection)
                        .register(BenchAgents.aor(user(i)), EXPIRES_SECONDS));
                Load publishing = new Load(inFlight, failed);
                publishing.drive(order, i -> edges.get(i / aorsPerConnection)
                        .publishProven(BenchAgents.aor(user(i)), pki.serverPolicy(user(i)), pki.webServerKey(), codec));
                // A key server that ran out of heap has exited (-XX:+ExitOnOutOfMemoryError): report that.
                boolean alive = keyServer.isAlive();
                ForkedKeyServer.Counts counts = alive ? keyServer.counts() : new ForkedKeyServer.Counts(0, 0, 0, 0);
                ForkedKeyServer.Heap after = alive ? keyServer.heap()
                        : new ForkedKeyServer.Heap(before.maxBytes(), before.maxBytes(), 0);
                return new Result(registrations, connections, aorsPerConnection, before, after, counts,
                        registering.ok.get(), publishing.ok.get(), failed.get(), registering.seconds,
                        publishing.seconds, alive && keyServer.isAlive());
            } finally {
                edges.forEach(EdgeProxyConnection::close);
            }
        }
    }

    private static String user(int i) {
        return "user" + i;
    }

    /** AOR numbers in the order connection 0, 1, ... take turns, so that every connection carries load. */
    private static int[] acrossConnections(int registrations, int connections, int aorsPerConnection) {
        int[] order = new int[registrations];
        int n = 0;
        for (int k = 0; k < aorsPerConnection; k++) {
            for (int c = 0; c < connections; c++) {
                int aor = c * aorsPerConnection + k;
                if (aor < registrations) {
                    order[n++] = aor;
                }
            }
        }
        return order;
    }

    /** One kind of request for every AOR, a bounded number in flight, counted by outcome. */
    private static final class Load {

        private final Semaphore slots;
        private final int inFlight;
        private final AtomicLong failed;
        final AtomicLong ok = new AtomicLong();
        double seconds;

        Load(int inFlight, AtomicLong failed) {
            this.slots = new Semaphore(inFlight);
            this.inFlight = inFlight;
            this.failed = failed;
        }

        /** Sends the request of each AOR number in {@code order} and waits for all answers. */
        void drive(int[] order, Request request) throws Exception {
            long start = System.nanoTime();
            for (int i : order) {
                slots.acquire();
                CompletableFuture<Integer> status;
                try {
                    status = request.send(i);
                } catch (Exception e) {
                    slots.release();
                    failed.incrementAndGet();
                    continue;
                }
                status.whenComplete((code, error) -> {
                    (error == null && code == 200 ? ok : failed).incrementAndGet();
                    slots.release();
                });
            }
            if (!slots.tryAcquire(inFlight, 2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("requests still unanswered after two minutes");
            }
            seconds = (System.nanoTime() - start) / 1e9;
        }
    }

    /** Sends the request for AOR number {@code i}. */
    @FunctionalInterface
    private interface Request {
        CompletableFuture<Integer> send(int i) throws Exception;
    }
}
