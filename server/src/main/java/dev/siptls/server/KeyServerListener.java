package dev.siptls.server;

import dev.siptls.sip.SipEndpoint;
import dev.siptls.sip.SipEvents;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.message.Request;

/**
 * Dispatches what the SIP stack delivers to the registrar, the policy desk and the INVITE relay. Runs on the
 * thread that read the message (an event loop of the transport, or the stack's timer thread for timeouts),
 * several at once, so it holds up the other connections of that loop while it runs:
 * nothing here blocks (sends only queue, and the key server never opens a connection), and all it touches is
 * thread-safe.
 */
final class KeyServerListener implements SipEvents {

    private final Registrar registrar;
    private final PolicyDesk policies;
    private final InviteRelay relay;
    private final Answers answers;
    private volatile SipEndpoint endpoint;

    KeyServerListener(Registrar registrar, PolicyDesk policies, InviteRelay relay, Answers answers) {
        this.registrar = registrar;
        this.policies = policies;
        this.relay = relay;
        this.answers = answers;
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
        ServerTransaction tx = event.getServerTransaction();
        try {
            if (tx == null) {
                tx = ((SipProvider) event.getSource()).getNewServerTransaction(request);
            }
        } catch (TransactionAlreadyExistsException retransmission) {
            return;
        } catch (Exception e) {
            // The stack would not track this request (e.g. an INVITE without Contact): say so, statelessly.
            Answers.debug(() -> "no transaction for " + method + ": " + e);
            try {
                ((SipProvider) event.getSource()).sendResponse(
                        answers.messages.response(request, 400, "Bad Request"));
            } catch (Exception unanswerable) {
                Answers.debug(() -> "cannot answer " + method + " either: " + unanswerable);
            }
            return;
        }
        Origin origin = Origin.of(event, tx, endpoint);
        try {
            switch (method) {
                case Request.REGISTER -> registrar.onRegister(tx, request, origin);
                case Request.MESSAGE -> policies.onMessage(tx, request, origin);
                case Request.INVITE -> relay.onInvite(tx, request, origin);
                case Request.CANCEL -> relay.onCancel(tx, request, origin);
                case Request.OPTIONS -> {
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
            relay.onResponse(event);
        } catch (RuntimeException | LinkageError e) {
            Answers.warn("failed on a response", e);
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (!event.isServerTransaction() && event.getClientTransaction() != null) {
            relay.onServerLegTimeout(SipText.callId(event.getClientTransaction().getRequest()));
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        Answers.debug(() -> "I/O error towards " + event.getHost() + ":" + event.getPort() + "/" + event.getTransport());
    }
}
