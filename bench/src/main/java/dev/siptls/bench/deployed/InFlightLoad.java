package dev.siptls.bench.deployed;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.SecurityAssociation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps a fixed number of SA requests in flight in total, spread over client agents: {@code min(clients, K)}
 * agents each keep their share of K in flight (a new request as soon as one of theirs completes) until told
 * to stop, then wait for their last ones. Every completion is recorded with its time, so that a measuring
 * window can be cut out of the run afterwards; every failure (an answer other than 200 with an SA, or a
 * timeout) is counted, wherever it falls.
 */
final class InFlightLoad {

    /** A request still open this long after the stop is counted as failed: the agents time out long before. */
    private static final Duration LAST_ANSWERS = Duration.ofSeconds(30);

    private final List<Thread> drivers = new ArrayList<>();
    private final Completions completions = new Completions();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final int agents;
    private volatile boolean stopping;

    private InFlightLoad(int agents) {
        this.agents = agents;
    }

    /** Starts {@code inFlight} requests for SAs with {@code target} from {@code clients}, and keeps them up. */
    static InFlightLoad start(List<SipTlsAgent> clients, String target, int inFlight) {
        int active = Math.min(clients.size(), inFlight);
        InFlightLoad load = new InFlightLoad(active);
        for (int i = 0; i < active; i++) {
            int slots = inFlight / active + (i < inFlight % active ? 1 : 0);
            SipTlsAgent client = clients.get(i);
            Thread driver = new Thread(() -> load.drive(client, target, slots), "deployed-bench-" + client.aor());
            driver.setDaemon(true);
            driver.start();
            load.drivers.add(driver);
        }
        return load;
    }

    private void drive(SipTlsAgent client, String target, int slots) {
        Semaphore free = new Semaphore(slots);
        while (!stopping) {
            try {
                if (!free.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            }
            long sent = System.nanoTime();
            CompletableFuture<SecurityAssociation> answer;
            try {
                answer = client.requestAssociation(target);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((sa, error) -> {
                long done = System.nanoTime();
                if (error == null && sa != null) {
                    completions.add(done, done - sent);
                } else {
                    failures.incrementAndGet();
                    firstFailure.compareAndSet(null, String.valueOf(error));
                }
                free.release();
            });
        }
        try {
            if (!free.tryAcquire(slots, LAST_ANSWERS.toMillis(), TimeUnit.MILLISECONDS)) {
                int open = slots - free.availablePermits();
                failures.addAndGet(open);
                firstFailure.compareAndSet(null, open + " request(s) unanswered " + LAST_ANSWERS.toSeconds()
                        + " s after the last was sent");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops sending and waits until every request sent has completed or is counted as failed. */
    void stopAndAwait() throws InterruptedException {
        stopping = true;
        for (Thread driver : drivers) {
            driver.join();
        }
    }

    int agents() {
        return agents;
    }

    long failures() {
        return failures.get();
    }

    /** What the first failure said, if there was one. */
    String firstFailure() {
        return firstFailure.get();
    }

    /** All SAs received, whenever. */
    long completed() {
        return completions.size();
    }

    /** Latencies (nanoseconds) of the requests that completed within {@code [from, to)} (nano times), sorted. */
    long[] latenciesCompletedBetween(long from, long to) {
        return completions.between(from, to);
    }

    /** Completion times and latencies, appended by many threads. */
    private static final class Completions {
        private long[] at = new long[1 << 14];
        private long[] latency = new long[1 << 14];
        private int size;

        synchronized void add(long time, long nanos) {
            if (size == at.length) {
                at = Arrays.copyOf(at, size * 2);
                latency = Arrays.copyOf(latency, size * 2);
            }
            at[size] = time;
            latency[size] = nanos;
            size++;
        }

        synchronized int size() {
            return size;
        }

        synchronized long[] between(long from, long to) {
            long[] out = new long[size];
            int n = 0;
            for (int i = 0; i < size; i++) {
                if (at[i] >= from && at[i] < to) {
                    out[n++] = latency[i];
                }
            }
            long[] result = Arrays.copyOf(out, n);
            Arrays.sort(result);
            return result;
        }
    }
}
