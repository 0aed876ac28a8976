package dev.siptls.agent;

import dev.siptls.protocol.ContentTypes;
import dev.siptls.protocol.InvalidBodyException;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SuiteOffer;
import dev.siptls.protocol.XmlCodec;
import gov.nist.javax.sip.Utils;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ProtocolException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ResponseEvent;
import javax.sip.SipProvider;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The client role of phase 2: INVITE a target through the key server, take the SA from its 200 OK, check and
 * store it, ACK. One request is one short-lived transaction and no dialog (PROTOCOL.md: an SA dialog
 * carries nothing after the ACK); nothing of it is kept once its future is done.
 *
 * <p>Futures complete on the agent's notifier thread, never on a SIP thread, and at the latest after the
 * request timeout, which runs on that notifier too so that a worker busy connecting cannot delay it.
 */
final class AssociationRequests {

    private static final System.Logger LOG = System.getLogger(AssociationRequests.class.getName());

    private final Aor self;
    private final SipProvider provider;
    private final ScheduledExecutorService worker;
    private final ScheduledExecutorService notifier;
    private final SipMessages messages;
    private final AssociationBodies bodies;
    private final AssociationStore store;
    private final AgentStatistics statistics;
    private final Clock clock;
    private final Duration timeout;
    private final Supplier<Optional<String>> notRegistered;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final SharedCertificates certificates;
    private final Runnable timedOut;
    private final XmlCodec codec = new XmlCodec();

    AssociationRequests(Aor self, SipProvider provider, ScheduledExecutorService worker,
            ScheduledExecutorService notifier, SipMessages messages, AssociationBodies bodies, AssociationStore store,
            AgentStatistics statistics, Clock clock, Duration timeout, Supplier<Optional<String>> notRegistered,
            SharedCertificates certificates, Runnable timedOut) {
        this.certificates = certificates;
        this.timedOut = timedOut;
        this.self = self;
        this.provider = provider;
        this.worker = worker;
        this.notifier = notifier;
        this.messages = messages;
        this.bodies = bodies;
        this.store = store;
        this.statistics = statistics;
        this.clock = clock;
        this.timeout = timeout;
        this.notRegistered = notRegistered;
    }

    /**
     * Any thread. {@code offeredSuites}: the suites the client connection offers, or null to name none (any suite
     * of this agent's policy will do).
     */
    CompletableFuture<SecurityAssociation> request(String targetText, List<String> offeredSuites) {
        statistics.requested();
        CompletableFuture<SecurityAssociation> future = new CompletableFuture<>();
        Target target;
        byte[] offer = null;
        try {
            target = Target.parse(targetText);
            if (offeredSuites != null) {
                offer = codec.encode(SuiteOffer.distributable(offeredSuites).orElseThrow(() ->
                        new IllegalArgumentException("none of the suites offered for " + targetText
                                + " can be a security association's (SIP-TLS distributes TLS 1.2 suites only)")));
            }
        } catch (IllegalArgumentException e) {
            statistics.failed();
            future.completeExceptionally(e);
            return future;
        }
        Optional<String> why = notRegistered.get();
        if (why.isPresent()) {
            statistics.failed();
            future.completeExceptionally(new IOException("cannot request an SA for " + target + ": " + why.get()));
            return future;
        }
        CallIdHeader callId = provider.getNewCallId();
        Pending p = new Pending(callId.getCallId(), target, offer, future, System.nanoTime());
        pending.put(p.callId, p);
        try {
            p.timer = notifier.schedule(() -> {
                if (pending.containsKey(p.callId)) {
                    timedOut.run(); // is the key server still there? (KeepAlive)
                }
                fail(p, new TimeoutException("no SA for " + target + " within " + timeout.toMillis() + " ms"));
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            worker.execute(() -> send(p, callId));
        } catch (RejectedExecutionException e) {
            fail(p, new IOException("agent closed"));
        }
        return future;
    }

    private void send(Pending p, CallIdHeader callId) {
        if (!pending.containsKey(p.callId)) {
            return;
        }
        try {
            Request invite = messages.invite(p.target, callId, p.offer);
            ClientTransaction tx = provider.getNewClientTransaction(invite);
            tx.sendRequest();
        } catch (Exception e) {
            fail(p, new IOException("cannot send INVITE for " + p.target + " to the key server: "
                    + Registration.describe(e), e));
        }
    }

    /** An answer to one of our INVITEs (the SIP thread that read it); false if the event is not ours. */
    boolean onResponse(ResponseEvent event) {
        Response response = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        if (cseq == null || !Request.INVITE.equals(cseq.getMethod())) {
            return false;
        }
        int status = response.getStatusCode();
        if (status < 200) {
            return true;
        }
        String callId = ((CallIdHeader) response.getHeader(CallIdHeader.NAME)).getCallId();
        Pending p = pending.get(callId);
        if (status >= 300) {
            if (p != null) {
                statistics.refused(status);
                String reason = response.getReasonPhrase();
                fail(p, new AssociationRefusedException(status, reason == null ? "" : reason), false);
            }
            return true;
        }
        if (p == null) {
            LOG.log(Level.DEBUG, "{0}: 200 OK to an INVITE no longer waited for (call {1}); ACK only", self, callId);
            ack(event);
            return true;
        }
        SecurityAssociation sa;
        try {
            sa = decode(response, p.target);
        } catch (ProtocolException e) {
            ack(event);
            fail(p, e);
            return true;
        }
        if (!claim(p)) {
            sa.destroy();
            ack(event);
            return true;
        }
        if (!store.put(sa, AssociationStore.Role.CLIENT)) {
            sa.destroy();
            ack(event);
            statistics.failed();
            finish(p, failure(p, new ProtocolException("SA for " + p.target + " is expired or its session id is"
                    + " already held")));
            return true;
        }
        ack(event);
        statistics.obtained(System.nanoTime() - p.started);
        LOG.log(Level.DEBUG, "{0}: obtained {1}", self, sa);
        finish(p, () -> p.future.complete(sa));
        return true;
    }

    private SecurityAssociation decode(Response response, Target target) throws ProtocolException {
        ContentTypeHeader type = (ContentTypeHeader) response.getHeader(ContentTypeHeader.NAME);
        if (!AssociationBodies.isAssociation(type)) {
            throw new ProtocolException("200 OK for " + target + " without an SA body");
        }
        byte[] body = response.getRawContent();
        if (body == null) {
            throw new ProtocolException("200 OK for " + target + " without a body");
        }
        SecurityAssociation sa;
        try {
            sa = bodies.decode(type, body);
        } catch (InvalidBodyException e) {
            throw new ProtocolException("invalid SA for " + target + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ProtocolException("unreadable SA for " + target + ": " + e.getClass().getSimpleName());
        } finally {
            // JAIN-SIP keeps the 200 OK in its finished transaction and dialog for a while: not the secret too
            Arrays.fill(body, (byte) 0);
        }
        Optional<String> problem = AssociationChecks.forClient(sa, self, target, clock.instant());
        if (problem.isPresent()) {
            sa.destroy();
            throw new ProtocolException("refused SA for " + target + ": " + problem.get());
        }
        return certificates.share(sa);
    }

    /**
     * ACKs a 2xx (RFC 3261 13.2.2.4). The agent's stack runs without automatic dialogs, so the ACK is built from
     * the transaction, as its own transaction with a fresh branch; should a dialog exist after all, it ACKs and
     * is deleted. Either way it leaves through the key server.
     */
    @SuppressWarnings("deprecation") // ClientTransaction.createAck: the API's way when there is no dialog
    private void ack(ResponseEvent event) {
        Dialog dialog = event.getDialog();
        ClientTransaction tx = event.getClientTransaction();
        try {
            if (dialog != null) {
                long cseq = ((CSeqHeader) event.getResponse().getHeader(CSeqHeader.NAME)).getSeqNumber();
                dialog.sendAck(dialog.createAck(cseq));
            } else if (tx != null) {
                Request ack = tx.createAck();
                ((ViaHeader) ack.getHeader(ViaHeader.NAME)).setBranch(Utils.getInstance().generateBranchId());
                provider.sendRequest(ack);
            } else {
                LOG.log(Level.WARNING, "{0}: 200 OK to INVITE without transaction or dialog, cannot ACK", self);
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "{0}: sending ACK failed: {1}", self, Registration.describe(e));
        } finally {
            if (dialog != null) {
                dialog.delete();
            }
        }
    }

    /** An INVITE of ours timed out in the stack (worker thread). */
    boolean onTimeout(ClientTransaction tx) {
        if (tx == null || !Request.INVITE.equals(tx.getRequest().getMethod())) {
            return false;
        }
        CallIdHeader callId = (CallIdHeader) tx.getRequest().getHeader(CallIdHeader.NAME);
        Pending p = pending.get(callId.getCallId());
        if (p != null) {
            fail(p, new TimeoutException("no answer from the key server for " + p.target));
        }
        return true;
    }

    /** Fails every request still waiting, on close. */
    void failAll(Exception cause) {
        for (Pending p : pending.values()) {
            fail(p, cause);
        }
    }

    private void fail(Pending p, Exception cause) {
        fail(p, cause, true);
    }

    private void fail(Pending p, Exception cause, boolean countFailure) {
        if (!claim(p)) {
            return;
        }
        if (countFailure) {
            statistics.failed();
        }
        finish(p, failure(p, cause));
    }

    /** Whether this caller is the one that completes {@code p}: the answer, the timeout or close. */
    private boolean claim(Pending p) {
        return pending.remove(p.callId, p);
    }

    private Runnable failure(Pending p, Exception cause) {
        LOG.log(Level.DEBUG, "{0}: no SA for {1}: {2}", self, p.target, cause.getMessage());
        return () -> p.future.completeExceptionally(cause);
    }

    private void finish(Pending p, Runnable completion) {
        ScheduledFuture<?> timer = p.timer;
        if (timer != null) {
            timer.cancel(false);
        }
        try {
            notifier.execute(completion);
        } catch (RejectedExecutionException e) {
            completion.run();
        }
    }

    /** A request waiting for its answer. */
    private static final class Pending {
        final String callId;
        final Target target;
        /** The suite offer body, or null. */
        final byte[] offer;
        final CompletableFuture<SecurityAssociation> future;
        final long started;
        volatile ScheduledFuture<?> timer;

        Pending(String callId, Target target, byte[] offer, CompletableFuture<SecurityAssociation> future,
                long started) {
            this.callId = callId;
            this.target = target;
            this.offer = offer;
            this.future = future;
            this.started = started;
        }
    }
}
