package dev.siptls.server;

import dev.siptls.sip.SipEndpoint;
import dev.siptls.sip.SipEvents;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.TimeoutEvent;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.sip.message.Request;

/**
 * Dispatches what the SIP stack delivers to the registrar, the policy desk and the INVITE relay. Runs on the
 * thread that read the message (an event loop of the transport, or the stack's timer thread for timeouts),
 * several at once, so it holds up the other connections of that loop while it runs:
 * nothing here blocks (sends only queue, and the key server never opens a connection), and all it touches is
 * thread-safe. In a cluster, where a decision may wait for the other nodes, REGISTER, MESSAGE and INVITE run on
 * the key server's workers instead.
 */
final class KeyServerListener implements SipEvents {

    private final Registrar registrar;
    private final PolicyDesk policies;
    private final InviteRelay relay;
    private final Answers answers;
    private final EdgeRelay edge;
    /** In a cluster, where requests run: deciding may wait for the other nodes. Null alone: run inline. */
    private final Executor workers;
    private final java.util.function.BooleanSupplier available;
    private volatile SipEndpoint endpoint;

    KeyServerListener(Registrar registrar, PolicyDesk policies, InviteRelay relay, Answers answers, EdgeRelay edge,
            Executor workers, java.util.function.BooleanSupplier available) {
        this.available = available;
        this.registrar = registrar;
        this.policies = policies;
        this.relay = relay;
        this.answers = answers;
        this.edge = edge;
        this.workers = workers;
    }

    /** The endpoint whose connections requests are matched to; until then no request has a connection. */
    void attach(SipEndpoint sipEndpoint) {
        this.endpoint = sipEndpoint;
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        if (Request.ACK.equals(method)) {
            relay.onAck(event, Origin.of(event, null, endpoint));
            return;
        }
        ServerTransaction tx = answers.transaction(event, true);
        if (tx == null) {
            return;
        }
        Origin origin = Origin.of(event, tx, endpoint);
        ServerTransaction transaction = tx;
        if (workers != null && (Request.REGISTER.equals(method) || Request.MESSAGE.equals(method)
                || Request.INVITE.equals(method))) {
            try {
                workers.execute(() -> dispatch(method, transaction, request, origin));
            } catch (RejectedExecutionException busy) {
                answers.refuse(tx, request, origin, new Refusal(503, "overloaded", "Key server overloaded"));
            }
            return;
        }
        dispatch(method, transaction, request, origin);
    }

    private void dispatch(String method, ServerTransaction tx, Request request, Origin origin) {
        try {
            switch (method) {
                case Request.REGISTER -> registrar.onRegister(tx, request, origin);
                case Request.MESSAGE -> policies.onMessage(tx, request, origin);
                case Request.INVITE -> relay.onInvite(tx, request, origin);
                case Request.CANCEL -> relay.onCancel(tx, request, origin);
                case Request.OPTIONS -> {
                    if (!available.getAsBoolean()) {
                        // Agents' keep-alives: a node that may not decide sends its agents to another node.
                        answers.refuse(tx, request, origin, new Refusal(503, "cluster-unavailable",
                                "Key server cluster unavailable here"));
                        return;
                    }
                    var ok = answers.messages.response(request, 200, "OK");
                    answers.messages.addAllow(ok);
                    answers.send(tx, ok);
                }
                case Request.BYE -> answers.send(tx, answers.messages.response(request, 200, "OK"));
                default -> answers.refuse(tx, request, origin,
                        new Refusal(405, "method-not-allowed", "Method Not Allowed"));
            }
        } catch (RuntimeException | LinkageError e) {
            // Whatever went wrong with this request, the connection's thread must survive it.
            Answers.warn("failed on " + method + " from " + origin, e);
            answers.send(tx, answers.messages.response(request, 500, "Server Internal Error"));
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        try {
            if (edge != null && edge.onResponse(event)) {
                return;
            }
            relay.onResponse(event);
        } catch (RuntimeException | LinkageError e) {
            Answers.warn("failed on a response", e);
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (!event.isServerTransaction() && event.getClientTransaction() != null) {
            String callId = SipText.callId(event.getClientTransaction().getRequest());
            if (edge == null || !edge.onTimeout(callId)) {
                relay.onServerLegTimeout(callId);
            }
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        Answers.debug(() -> "I/O error towards " + event.getHost() + ":" + event.getPort() + "/" + event.getTransport());
    }
}
