package dev.siptls.server;

import dev.siptls.sip.SipEvents;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.TimeoutEvent;
import javax.sip.message.Request;

/**
 * What arrives over the links between the nodes of a cluster (mutual TLS with the cluster's CA, nothing else can
 * connect): INVITEs another node sends for an agent registered here go to the {@link EdgeRelay}, answers to the
 * legs this node sent there go back to the {@link InviteRelay}. ACKs for 2xx end nothing here (the agent was ACKed
 * already); OPTIONS is answered, anything else refused.
 */
final class NodeLinksListener implements SipEvents {

    private final EdgeRelay edge;
    private final InviteRelay relay;
    private final Answers answers;

    NodeLinksListener(EdgeRelay edge, InviteRelay relay, Answers answers) {
        this.edge = edge;
        this.relay = relay;
        this.answers = answers;
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        if (Request.ACK.equals(method)) {
            return;
        }
        ServerTransaction tx = answers.transaction(event, false);
        if (tx == null) {
            return;
        }
        try {
            switch (method) {
                case Request.INVITE -> edge.onInvite(tx, request);
                case Request.OPTIONS -> answers.send(tx, answers.messages.response(request, 200, "OK"));
                default -> answers.refuse(tx, request, null,
                        new Refusal(405, "method-not-allowed", "Method Not Allowed"));
            }
        } catch (RuntimeException | LinkageError e) {
            Answers.warn("failed on " + method + " from another node", e);
            answers.send(tx, answers.messages.response(request, 500, "Server Internal Error"));
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        try {
            relay.onResponse(event);
        } catch (RuntimeException | LinkageError e) {
            Answers.warn("failed on a response from another node", e);
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
        Answers.debug(() -> "I/O error towards node " + event.getHost() + ":" + event.getPort());
    }
}
