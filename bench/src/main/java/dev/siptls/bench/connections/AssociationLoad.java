package dev.siptls.bench.connections;

import dev.siptls.agent.SipTlsAgent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * SA distribution among real agents for a fixed time: each client agent keeps {@code inFlight} SA requests
 * to one TLS server agent outstanding; the latency is INVITE out to 200 with the SA back, as the client sees
 * it.
 */
final class AssociationLoad {

    /** What one run measured; {@code latencyNanos} holds every answered request. */
    record Result(long count, long failed, double seconds, long[] latencyNanos, String firstError) {

        double perSecond() {
            return count / seconds;
        }

        double percentileMillis(double p) {
            if (latencyNanos.length == 0) {
                return Double.NaN;
            }
            long[] sorted = latencyNanos.clone();
            Arrays.sort(sorted);
            int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1));
            return sorted[index] / 1e6;
        }
    }

    private AssociationLoad() {
    }

    static Result run(List<SipTlsAgent> clients, String server, double seconds, int inFlight)
            throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Thread> drivers = new ArrayList<>();
        for (SipTlsAgent client : clients) {
            Thread driver = new Thread(() -> {
                Semaphore slots = new Semaphore(inFlight);
                while (System.nanoTime() < end) {
                    try {
                        if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    long sent = System.nanoTime();
                    client.requestAssociation(server).whenComplete((sa, error) -> {
                        if (error == null) {
                            latencies.add(System.nanoTime() - sent);
                            ok.incrementAndGet();
                        } else {
                            firstError.compareAndSet(null, String.valueOf(error));
                            failed.incrementAndGet();
                        }
                        slots.release();
                    });
                }
                slots.acquireUninterruptibly(inFlight);
            }, "connections-bench-" + client.aor());
            driver.start();
            drivers.add(driver);
        }
        for (Thread driver : drivers) {
            driver.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(ok.get(), failed.get(), elapsed, latencies.stream().mapToLong(Long::longValue).toArray(),
                firstError.get());
    }
}
