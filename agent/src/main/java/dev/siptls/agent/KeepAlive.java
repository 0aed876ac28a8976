package dev.siptls.agent;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import javax.sip.ClientTransaction;
import javax.sip.SipProvider;
import javax.sip.message.Request;

/**
 * Keep-alives on the registered flow to the key server (RFC 5626 style), so that a key server that hangs
 * (stopped, deadlocked, or behind a path that swallows packets while the connection stays open) is noticed
 * within {@code interval + timeout} and treated like a lost one. A closed connection is noticed without this
 * ({@link KeyServerFlow}); a hung one never is, and every SA request would wait its full timeout.
 *
 * <p>The probe is a SIP OPTIONS over the flow, not RFC 5626's CRLF ping: JAIN-SIP 1.3.0-91's parser takes
 * every second CRLF pong for the first half of a ping (it answers it with a pong of its own and cancels no
 * timer), so CRLF keep-alives would report a live key server lost every other time. The key server answers
 * OPTIONS with 200 without touching its registrar, or with 503 while it may not serve (a node on the minority side
 * of a split cluster): that counts as lost, so the agent moves to another key server.
 *
 * <p>A probe goes only when nothing was heard from the key server for the interval (jittered down to 80%, as
 * RFC 5626 section 4.4.1 asks, so agents registered together do not probe together): an agent in use sends
 * none. An SA request that timed out probes at once, and until that probe is answered new SA requests fail at
 * once ({@link #suspicion()}) rather than each waiting its timeout.
 *
 * <p>Probes are sent on the endpoint's worker; their timeout runs on the endpoint's timer thread so that it
 * fires on time however busy the worker is (connecting, say).
 */
final class KeepAlive {

    private static final System.Logger LOG = System.getLogger(KeepAlive.class.getName());
    private static final long MIN_TICK_MILLIS = 20;
    private static final long MAX_TICK_MILLIS = 500;

    private final String aor;
    private final SipProvider provider;
    private final ScheduledExecutorService worker;
    private final ScheduledExecutorService timers;
    private final SipMessages messages;
    private final Registration registration;
    private final Duration interval;
    private final Duration timeout;
    private final DoubleSupplier random;
    private final AtomicReference<Probe> outstanding = new AtomicReference<>();

    private volatile long lastHeard = System.nanoTime();
    // Worker-thread only.
    private long idleBeforeProbe;

    KeepAlive(String aor, SipProvider provider, ScheduledExecutorService worker, ScheduledExecutorService timers,
            SipMessages messages, Registration registration, Duration interval, Duration timeout,
            DoubleSupplier random) {
        this.aor = aor;
        this.provider = provider;
        this.worker = worker;
        this.timers = timers;
        this.messages = messages;
        this.registration = registration;
        this.interval = interval;
        this.timeout = timeout;
        this.random = random;
        this.idleBeforeProbe = jittered();
    }

    /** Starts watching; stops with the worker. */
    void start() {
        long tick = Math.max(MIN_TICK_MILLIS, Math.min(MAX_TICK_MILLIS, interval.toMillis() / 4));
        worker.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** Something arrived from the key server: it is alive. Any thread; cheap. */
    void heard() {
        lastHeard = System.nanoTime();
    }

    /** An SA request got no answer in time: probe now rather than at the next interval. Any thread. */
    void requestTimedOut() {
        run(() -> probe(true));
    }

    /** Why SA requests should fail at once: a probe sent after a request timed out is still unanswered. */
    Optional<String> suspicion() {
        Probe p = outstanding.get();
        return p != null && p.afterTimeout
                ? Optional.of("the key server has not answered a keep-alive since an SA request timed out")
                : Optional.empty();
    }

    /** The answer to a probe (worker thread); false if {@code tx} is not an OPTIONS of ours. */
    boolean onResponse(ClientTransaction tx, int status) {
        if (tx == null || !Request.OPTIONS.equals(tx.getRequest().getMethod())) {
            return false;
        }
        if (status >= 200) {
            Probe p = outstanding.get();
            if (p != null && p.tx == tx && outstanding.compareAndSet(p, null)) {
                p.timer.cancel(false);
                idleBeforeProbe = jittered();
                if (status == 503) {
                    // A node of a split cluster that may not decide says so: its SAs would all be refused.
                    registration.flowLost(p.channel, "the key server answers a keep-alive 503: it cannot serve now");
                }
            }
        }
        return true;
    }

    /** JAIN-SIP's own timeout of an OPTIONS (worker thread): ours fired long before; false if not ours. */
    boolean onTimeout(ClientTransaction tx) {
        return tx != null && Request.OPTIONS.equals(tx.getRequest().getMethod());
    }

    private void tick() {
        try {
            if (System.nanoTime() - lastHeard >= idleBeforeProbe) {
                probe(false);
            }
        } catch (RuntimeException e) {
            // a periodic task that throws is never run again: keep watching
            LOG.log(Level.WARNING, aor + ": keep-alive failed", e);
        }
    }

    /** Worker thread. */
    private void probe(boolean afterTimeout) {
        if (outstanding.get() != null) {
            return;
        }
        Object channel = registration.probeableChannel();
        if (channel == null) {
            return; // not registered, or a REGISTER/MESSAGE is in flight and watched by its own timeout
        }
        ClientTransaction tx;
        try {
            tx = provider.getNewClientTransaction(messages.options());
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "{0}: cannot build a keep-alive: {1}", aor, Registration.describe(e));
            return;
        }
        Probe p = new Probe(tx, channel, afterTimeout);
        outstanding.set(p);
        try {
            p.timer = timers.schedule(() -> expired(p), timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            outstanding.set(null);
            return; // closing
        }
        try {
            tx.sendRequest();
        } catch (Exception e) {
            if (outstanding.compareAndSet(p, null)) {
                p.timer.cancel(false);
                registration.flowLost(channel, "cannot send a keep-alive to the key server: "
                        + Registration.describe(e));
            }
        }
    }

    /** Timer thread: no answer in time, so the flow is lost. */
    private void expired(Probe p) {
        if (outstanding.compareAndSet(p, null)) {
            registration.flowLost(p.channel, "no answer from the key server to a keep-alive within "
                    + timeout.toMillis() + " ms");
            run(() -> idleBeforeProbe = jittered());
        }
    }

    /** Between 80% and 100% of the interval, in nanoseconds. */
    private long jittered() {
        return (long) (interval.toNanos() * (0.8 + 0.2 * random.getAsDouble()));
    }

    private void run(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** One OPTIONS waiting for its answer, and the connection it went over. */
    private static final class Probe {
        final ClientTransaction tx;
        final Object channel;
        final boolean afterTimeout;
        volatile ScheduledFuture<?> timer;

        Probe(ClientTransaction tx, Object channel, boolean afterTimeout) {
            this.tx = tx;
            this.channel = channel;
            this.afterTimeout = afterTimeout;
        }
    }
}
