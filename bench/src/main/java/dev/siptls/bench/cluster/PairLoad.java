package dev.siptls.bench.cluster;

import dev.siptls.agent.AssociationRefusedException;
import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.SecurityAssociation;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * SA requests kept up from every client agent to the server agents in turn, {@code inFlight} at a time per
 * client, until stopped; every answer is recorded as an {@link Outcome}: which pair, when sent and answered, the
 * SA's session id or the kind of failure. A failed request holds its slot a short pause before the next, so an
 * agent between key servers (whose requests fail at once) does not spin.
 */
public final class PairLoad {

    /** How long a slot waits after a failed request before it sends the next. */
    private static final long PAUSE_AFTER_FAILURE_MS = 20;

    /**
     * One request and its answer.
     *
     * @param sessionId the SA's session id (hex); null if it failed
     * @param failure   null for an SA, else {@code "<status> <reason>"} for a refusal, {@code "timeout"} for the
     *                  agent's request timeout, {@code "no key server"} for a request the agent could not send or
     *                  whose key server was lost
     */
    public record Outcome(int client, int server, long sentNanos, long doneNanos, String sessionId, String failure) {
        public boolean ok() {
            return sessionId != null;
        }

        public long latencyNanos() {
            return doneNanos - sentNanos;
        }
    }

    private final List<Thread> drivers = new ArrayList<>();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final List<Semaphore> slots = new ArrayList<>();
    private final int inFlight;
    private volatile boolean stopping;

    private PairLoad(int inFlight) {
        this.inFlight = inFlight;
    }

    /** Starts {@code inFlight} requests per client agent, each client going round the {@code servers}' AORs. */
    public static PairLoad start(List<SipTlsAgent> clients, List<String> servers, int inFlight) {
        PairLoad load = new PairLoad(inFlight);
        for (int i = 0; i < clients.size(); i++) {
            int client = i;
            Semaphore free = new Semaphore(inFlight);
            load.slots.add(free);
            Thread driver = new Thread(() -> load.drive(clients.get(client), client, servers, free),
                    "cluster-load-" + clients.get(client).aor());
            driver.setDaemon(true);
            driver.start();
            load.drivers.add(driver);
        }
        return load;
    }

    private void drive(SipTlsAgent agent, int client, List<String> servers, Semaphore free) {
        int next = client % servers.size();
        while (!stopping) {
            try {
                if (!free.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            }
            int server = next;
            next = (next + 1) % servers.size();
            long sent = System.nanoTime();
            CompletableFuture<SecurityAssociation> answer;
            try {
                answer = agent.requestAssociation(servers.get(server));
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((sa, error) -> {
                long done = System.nanoTime();
                if (error == null && sa != null) {
                    outcomes.add(new Outcome(client, server, sent, done, sa.sessionIdHex(), null));
                    free.release();
                } else {
                    outcomes.add(new Outcome(client, server, sent, done, null, kind(error)));
                    CompletableFuture.delayedExecutor(PAUSE_AFTER_FAILURE_MS, TimeUnit.MILLISECONDS)
                            .execute(free::release);
                }
            });
        }
    }

    private static String kind(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof AssociationRefusedException r) {
            return r.statusCode() + " " + r.reason();
        }
        if (e instanceof TimeoutException) {
            return "timeout";
        }
        if (e instanceof IOException) {
            return "no key server";
        }
        return e == null ? "no SA" : e.getClass().getSimpleName();
    }

    /**
     * Stops sending and waits up to {@code lastAnswers} for the requests still open; returns how many are still
     * open then (0 when every request was answered).
     */
    public int stopAndAwait(Duration lastAnswers) throws InterruptedException {
        stopping = true;
        for (Thread driver : drivers) {
            driver.join();
        }
        long deadline = System.nanoTime() + lastAnswers.toNanos();
        int open = 0;
        for (Semaphore free : slots) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (free.tryAcquire(inFlight, left, TimeUnit.NANOSECONDS)) {
                free.release(inFlight);
            } else {
                open += inFlight - free.availablePermits();
            }
        }
        return open;
    }

    /** Every answer so far, in no particular order. */
    public List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }
}
