package dev.siptls.agent;

import dev.siptls.protocol.PossessionProof;
import dev.siptls.protocol.XmlCodec;
import dev.siptls.sip.PrintableText;
import java.lang.System.Logger.Level;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ListIterator;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sip.ClientTransaction;
import javax.sip.SipProvider;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.ExtensionHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Phase 1 for one agent: REGISTER, then MESSAGE with the policy (its chain's possession proven over the nonce
 * of that REGISTER's answer, so a new connection's new nonce gets a new proof), refreshed at half the granted
 * expiry. Any failure (no connection, no answer, refusal, lost connection) is reported to its {@link Events}:
 * the agent then decides ({@link Failover}) whether to {@link #retry()} here after a backoff or to move to another
 * key server. A lost connection is also reported to {@code connectionLost}: answers to requests sent over it can
 * no longer arrive (the key server answers over the flow a request came on).
 *
 * <p>Everything but the state getters runs on the endpoint's worker thread, so the fields below need no
 * lock; the state is published through a monitor that {@link #awaitRegistered} waits on.
 */
final class Registration {

    private static final System.Logger LOG = System.getLogger(Registration.class.getName());
    /** How often the agent checks that its connection to the key server is still the registered one. */
    static final Duration FLOW_CHECK = Duration.ofMillis(500);
    /** The shortest wait for an answer to REGISTER or MESSAGE; the key server may be busy after a restart. */
    private static final Duration MIN_ANSWER_WAIT = Duration.ofSeconds(5);

    private final String aor;
    private final String canonicalAor;
    private final SipProvider provider;
    private final ScheduledExecutorService worker;
    private final SipMessages messages;
    private final KeyServerFlow flow;
    private final XmlCodec codec;
    private final AgentStatistics statistics;
    private final Events events;
    private final Duration answerWait;
    private final CallIdHeader callId;
    private final Consumer<String> connectionLost;
    private final Object monitor = new Object();

    private volatile RegistrationState state = RegistrationState.STOPPED;
    private volatile String lastError;
    private volatile ProvablePolicy policy;
    /** The policy the key server last accepted on the current registration; null when not registered. */
    private volatile ProvablePolicy accepted;

    // Worker-thread only.
    private int requestedExpiry;
    private int grantedExpiry;
    private long cseq;
    private ClientTransaction registerTx;
    private ClientTransaction messageTx;
    private ProvablePolicy policySent;
    private byte[] challenge;
    private Object registeredChannel;
    private Object candidateChannel;
    private ScheduledFuture<?> timer;
    private volatile ScheduledFuture<?> flowCheck;
    private ClientTransaction unregisterTx;
    private CountDownLatch unregistered;

    Registration(Aor aor, SipProvider provider, ScheduledExecutorService worker, SipMessages messages,
            KeyServerFlow flow, XmlCodec codec, AgentStatistics statistics, Events events,
            ProvablePolicy policy, Duration expiry, Duration requestTimeout, Consumer<String> connectionLost) {
        this.aor = aor.toString();
        this.canonicalAor = aor.canonical();
        this.connectionLost = connectionLost;
        this.provider = provider;
        this.worker = worker;
        this.messages = messages;
        this.flow = flow;
        this.codec = codec;
        this.statistics = statistics;
        this.events = events;
        this.policy = policy;
        this.requestedExpiry = (int) Math.min(Integer.MAX_VALUE, Math.max(1, expiry.toSeconds()));
        this.answerWait = requestTimeout.compareTo(MIN_ANSWER_WAIT) > 0 ? requestTimeout : MIN_ANSWER_WAIT;
        this.callId = provider.getNewCallId();
    }

    /** What the agent hears of a registration: each on the worker thread but {@link #stateChanged}, any thread. */
    interface Events {
        /** Registered, from not being registered. */
        void registered();

        /** The attempt or the registration failed; nothing more happens until {@link #retry()} or the agent moves. */
        void failed(String reason);

        /** {@link #state()} or the accepted policy changed. */
        void stateChanged();
    }

    RegistrationState state() {
        return state;
    }

    /** Whether registered with the current policy accepted. */
    boolean policyAccepted() {
        return state == RegistrationState.REGISTERED && accepted == policy;
    }

    /** Registers again over this endpoint (after a failure); any thread. */
    void retry() {
        run(() -> {
            if (state != RegistrationState.STOPPED && state != RegistrationState.REGISTERED) {
                sendRegister();
            }
        });
    }

    Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** Starts registering in the background. */
    void start() {
        setState(RegistrationState.CONNECTING);
        run(this::sendRegister);
        flowCheck = worker.scheduleWithFixedDelay(this::checkFlow, FLOW_CHECK.toMillis(), FLOW_CHECK.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    boolean awaitRegistered(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (state != RegistrationState.REGISTERED) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || state == RegistrationState.STOPPED) {
                    return state == RegistrationState.REGISTERED;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
            return true;
        }
    }

    /** Waits until registered with the current policy accepted; false on timeout or when stopped. */
    boolean awaitPolicyAccepted(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (state != RegistrationState.REGISTERED || accepted != policy) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || state == RegistrationState.STOPPED) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
            return true;
        }
    }

    /** Replaces the policy; sends it at once if registered, else with the next registration. */
    void publish(ProvablePolicy newPolicy) {
        policy = newPolicy;
        run(() -> {
            if (state == RegistrationState.REGISTERED && registerTx == null && messageTx == null) {
                sendMessage();
            }
        });
    }

    /** A final or provisional answer to one of our transactions (worker thread). */
    boolean onResponse(ClientTransaction tx, Response response) {
        if (tx == null) {
            return false;
        }
        if (state == RegistrationState.STOPPED && tx != unregisterTx) {
            return Request.REGISTER.equals(tx.getRequest().getMethod())
                    || Request.MESSAGE.equals(tx.getRequest().getMethod());
        }
        if (tx == registerTx) {
            onRegisterResponse(tx, response);
        } else if (tx == messageTx) {
            onMessageResponse(response);
        } else if (tx == unregisterTx) {
            if (response.getStatusCode() >= 200 && unregistered != null) {
                unregistered.countDown();
            }
        } else {
            return Request.REGISTER.equals(tx.getRequest().getMethod())
                    || Request.MESSAGE.equals(tx.getRequest().getMethod());
        }
        return true;
    }

    /** A transaction of ours got no answer (worker thread). */
    boolean onTimeout(ClientTransaction tx) {
        if (tx != null && (tx == registerTx || tx == messageTx)) {
            fail("no answer from the key server to " + tx.getRequest().getMethod());
            return true;
        }
        return false;
    }

    /**
     * Reading from the connection to the key server failed with a TLS error (worker thread): a TLS 1.3 key
     * server refuses a client certificate so, after the client's handshake, leaving the REGISTER unanswered.
     */
    void onTlsReadFailure(String message) {
        if (registerTx != null) {
            TlsTrouble.reasonOfTlsError(message).ifPresent(this::fail);
        }
    }

    /** JAIN-SIP could not reach the key server (worker thread). */
    void onIoFailure(String detail) {
        if (state == RegistrationState.REGISTERED || registerTx != null || messageTx != null) {
            fail("connection to the key server failed: " + detail);
        }
    }

    private void sendRegister() {
        if (state == RegistrationState.STOPPED) {
            return;
        }
        cancelTimer();
        try {
            Request register = messages.register(callId, ++cseq, requestedExpiry);
            ClientTransaction tx = provider.getNewClientTransaction(register);
            registerTx = tx;
            messageTx = null;
            tx.sendRequest();
            armAnswerTimeout(tx, "REGISTER");
        } catch (Exception e) {
            fail(TlsTrouble.reasonOf(e).orElse("cannot send REGISTER to the key server: " + describe(e)));
        }
    }

    private void onRegisterResponse(ClientTransaction tx, Response response) {
        int status = response.getStatusCode();
        if (status < 200) {
            return;
        }
        registerTx = null;
        if (status / 100 == 2) {
            grantedExpiry = grantedExpiry(response);
            challenge = challenge(response);
            candidateChannel = KeyServerFlow.channelOf(tx);
            sendMessage();
        } else if (status == Response.INTERVAL_TOO_BRIEF
                && response.getHeader(MinExpiresHeader.NAME) instanceof MinExpiresHeader min
                && min.getExpires() > requestedExpiry) {
            LOG.log(Level.INFO, "{0}: key server wants registrations of at least {1} s", aor, min.getExpires());
            requestedExpiry = min.getExpires();
            sendRegister();
        } else {
            fail("key server refused REGISTER: " + status + " " + response.getReasonPhrase());
        }
    }

    private void sendMessage() {
        cancelTimer();
        ProvablePolicy current = policy;
        byte[] body;
        try {
            body = codec.encode(current.forNonce(canonicalAor, challenge));
        } catch (GeneralSecurityException e) {
            // The exception names the algorithm or key type at most, never the key.
            fail("cannot sign the proof of possession of the policy's chain key: " + describe(e));
            return;
        }
        try {
            ClientTransaction tx = provider.getNewClientTransaction(messages.message(body));
            messageTx = tx;
            policySent = current;
            tx.sendRequest();
            armAnswerTimeout(tx, "MESSAGE");
        } catch (Exception e) {
            fail("cannot send the policy MESSAGE to the key server: " + describe(e));
        }
    }

    /** The registration's nonce from a REGISTER 200 OK; null from a key server that sends none. */
    private byte[] challenge(Response response) {
        if (response.getHeader(PossessionProof.CHALLENGE_HEADER) instanceof ExtensionHeader header) {
            byte[] nonce = PossessionProof.challenge(header.getValue()).orElse(null);
            if (nonce == null) {
                LOG.log(Level.WARNING, "{0}: the key server''s {1} header is not a nonce; publishing without proof",
                        aor, PossessionProof.CHALLENGE_HEADER);
            }
            return nonce;
        }
        return null;
    }

    private void onMessageResponse(Response response) {
        int status = response.getStatusCode();
        if (status < 200) {
            return;
        }
        messageTx = null;
        if (status / 100 != 2) {
            fail("key server refused the policy: " + status + " " + response.getReasonPhrase());
            return;
        }
        if (policySent != policy) {
            sendMessage();
            return;
        }
        cancelTimer();
        registeredChannel = candidateChannel;
        accepted = policySent;
        boolean refreshed = state == RegistrationState.REGISTERED;
        if (refreshed) {
            statistics.refreshed();
        } else {
            statistics.registered();
            LOG.log(Level.DEBUG, "{0}: registered with the key server for {1} s", aor, grantedExpiry);
        }
        lastError = null;
        if (!refreshed) {
            events.registered(); // first, so that whoever sees REGISTERED sees the agent's bookkeeping done
        }
        setState(RegistrationState.REGISTERED);
        long refresh = Math.max(1, grantedExpiry / 2L);
        timer = worker.schedule(this::sendRegister, refresh, TimeUnit.SECONDS);
    }

    private int grantedExpiry(Response response) {
        for (ListIterator<?> it = response.getHeaders(ContactHeader.NAME); it.hasNext();) {
            ContactHeader contact = (ContactHeader) it.next();
            if (messages.isOwn(contact) && contact.getExpires() > 0) {
                return contact.getExpires();
            }
        }
        if (response.getHeader(ExpiresHeader.NAME) instanceof ExpiresHeader expires && expires.getExpires() > 0) {
            return expires.getExpires();
        }
        return requestedExpiry;
    }

    private void checkFlow() {
        try {
            if (state == RegistrationState.REGISTERED && registerTx == null && messageTx == null
                    && !flow.isCurrent(registeredChannel)) {
                String reason = "connection to the key server lost";
                fail(reason);
                connectionLost.accept(reason);
            }
        } catch (RuntimeException e) {
            // a periodic task that throws is never run again: keep watching
            LOG.log(Level.WARNING, aor + ": checking the connection to the key server failed", e);
        }
    }

    /**
     * The connection a keep-alive may probe (worker thread): the registered one while registered and no
     * REGISTER or MESSAGE is in flight (those have their own answer timeout); null otherwise.
     */
    Object probeableChannel() {
        if (state != RegistrationState.REGISTERED || registerTx != null || messageTx != null
                || !flow.isCurrent(registeredChannel)) {
            return null;
        }
        return registeredChannel;
    }

    /**
     * The key server stopped answering over {@code channel} (any thread). The agent leaves REGISTERED at once,
     * so that nobody waits for an answer that cannot come; on the worker it then closes that connection (a
     * hung peer never closes it) and registers again after the backoff.
     */
    void flowLost(Object channel, String reason) {
        synchronized (monitor) {
            if (state != RegistrationState.REGISTERED) {
                return;
            }
            state = RegistrationState.RETRYING;
            monitor.notifyAll();
        }
        events.stateChanged();
        connectionLost.accept(reason);
        run(() -> {
            flow.close(channel);
            if (state != RegistrationState.REGISTERED || registeredChannel == channel) {
                fail(reason, true); // unless registered again meanwhile, over another connection
            }
        });
    }

    private void armAnswerTimeout(ClientTransaction tx, String method) {
        cancelTimer();
        timer = worker.schedule(() -> {
            if (tx == registerTx || tx == messageTx) {
                fail("no answer from the key server to " + method + " within " + answerWait.toMillis() + " ms");
            }
        }, answerWait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void fail(String reason) {
        fail(reason, state == RegistrationState.REGISTERED);
    }

    private void fail(String reason, boolean wasRegistered) {
        if (state == RegistrationState.STOPPED) {
            return;
        }
        registerTx = null;
        messageTx = null;
        registeredChannel = null;
        accepted = null;
        cancelTimer();
        statistics.registrationFailed();
        if (wasRegistered) {
            statistics.reconnecting();
        }
        reason = PrintableText.of(reason); // it may quote the key server or the TLS stack: logged and shown as is
        lastError = reason;
        LOG.log(Level.DEBUG, "{0}: {1}", aor, reason); // the agent's Failover says what happens next
        setState(RegistrationState.RETRYING);
        events.failed(reason);
    }

    /**
     * Stops registering and, if registered, sends REGISTER with {@code Expires: 0}, waiting at most
     * {@code wait} for the answer. Call from any thread but the worker.
     */
    void stop(Duration wait) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        boolean wasRegistered = state == RegistrationState.REGISTERED;
        setState(RegistrationState.STOPPED);
        CountDownLatch answered = new CountDownLatch(1);
        try {
            worker.execute(() -> {
                try {
                    cancelTimer();
                    if (flowCheck != null) {
                        flowCheck.cancel(false);
                    }
                    registerTx = null;
                    messageTx = null;
                    if (wasRegistered) {
                        unregistered = answered;
                        ClientTransaction tx = provider.getNewClientTransaction(messages.register(callId, ++cseq, 0));
                        unregisterTx = tx;
                        tx.sendRequest();
                    } else {
                        answered.countDown();
                    }
                } catch (Exception e) {
                    LOG.log(Level.DEBUG, "{0}: unregistering failed: {1}", aor, describe(e));
                    answered.countDown();
                } finally {
                    done.countDown();
                }
            });
        } catch (RejectedExecutionException e) {
            return;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        if (done.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
            answered.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void setState(RegistrationState next) {
        synchronized (monitor) {
            if (state == RegistrationState.STOPPED && next != RegistrationState.CONNECTING) {
                return;
            }
            state = next;
            monitor.notifyAll();
        }
        events.stateChanged();
    }

    private void run(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
