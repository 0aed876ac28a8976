package dev.siptls.server;

import dev.siptls.sip.Flow;
import dev.siptls.sip.SipEndpoint;
import gov.nist.javax.sip.TransactionExt;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sip.ClientTransaction;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The node that holds a server agent's flow, for an SA another node made (docs/CLUSTER.md): takes that node's
 * INVITE from the links between nodes, checks the flow token in its Route against the registration it names
 * ({@link FlowTokens}: minted here, for this AOR, and the flow is still the AOR's and open), and passes the
 * INVITE on over the agent's flow, body untouched (it is sealed to the agent: this node never sees the SA).
 * The agent's final answer goes back to the other node; a 2xx is ACKed to the agent at once (the agent keeps
 * nothing per exchange after its 200). Runs on the threads that read the messages; never waits on a peer.
 */
final class EdgeRelay {

    private final Registry registry;
    private final Cluster cluster;
    private final Answers answers;
    private final Counters counters;
    private final Acks acks;
    private final Duration timeout;
    private final Map<String, Leg> byAgentCall = new ConcurrentHashMap<>();
    private volatile SipEndpoint endpoint;
    private volatile SipEndpoint nodes;
    private volatile ContactHeader contact;
    private volatile ContactHeader nodesContact;
    /** Where answers to another node are sent: the links' transport may block (even dial), the event loops must not. */
    private volatile java.util.concurrent.Executor nodeWrites;

    EdgeRelay(Registry registry, Cluster cluster, Answers answers, Counters counters, KeyServerConfig config) {
        this.registry = registry;
        this.cluster = cluster;
        this.answers = answers;
        this.counters = counters;
        this.acks = new Acks(answers.messages);
        // Answer before the node that asked gives up on its own (it waits relayTimeout), so its client hears why.
        this.timeout = config.relayTimeout().multipliedBy(4).dividedBy(5);
    }

    void attach(SipEndpoint agents, SipEndpoint links, java.util.concurrent.Executor writes) {
        this.nodeWrites = writes;
        this.contact = answers.messages.contact(agents.listeningPoint().getIPAddress(),
                agents.listeningPoint().getPort());
        this.nodesContact = answers.messages.contact(links.listeningPoint().getIPAddress(),
                links.listeningPoint().getPort());
        this.endpoint = agents;
        this.nodes = links;
    }

    /** One leg passed on: the other node's transaction, and the agent's flow. */
    private static final class Leg {
        final ServerTransaction fromNode;
        final Request request;
        final Registration agent;
        final long deadlineNanos;
        final AtomicBoolean answered = new AtomicBoolean();
        volatile URI agentUri;

        Leg(ServerTransaction fromNode, Request request, Registration agent, long deadlineNanos) {
            this.fromNode = fromNode;
            this.request = request;
            this.agent = agent;
            this.deadlineNanos = deadlineNanos;
        }
    }

    void onInvite(ServerTransaction tx, Request request) {
        try {
            Registration agent = check(request);
            pass(tx, request, agent);
        } catch (Refusal r) {
            answers.refuse(tx, request, null, r);
        }
    }

    private Registration check(Request request) throws Refusal {
        RouteHeader route = (RouteHeader) request.getHeader(RouteHeader.NAME);
        if (route == null || !(route.getAddress().getURI() instanceof SipURI hop) || hop.getUser() == null) {
            throw new Refusal(403, "no-flow-token", "No flow token");
        }
        String aor = Aors.canonical(String.valueOf(SipText.toUri(request)));
        OptionalLong serial = aor == null ? OptionalLong.empty() : cluster.verify(hop.getUser(), aor);
        if (serial.isEmpty()) {
            throw new Refusal(403, "invalid-flow-token", "Flow token not valid for " + aor);
        }
        Registration agent = registry.active(aor, System.currentTimeMillis()).orElse(null);
        if (agent == null || agent.serial() != serial.getAsLong() || !agent.reachable() || !cluster.owns(agent)) {
            throw new Refusal(480, "flow-gone", aor + " is no longer registered on that connection");
        }
        return agent;
    }

    private void pass(ServerTransaction tx, Request request, Registration agent) throws Refusal {
        SipEndpoint ep = endpoint;
        SipMessages m = answers.messages;
        Leg leg = new Leg(tx, request, agent, System.nanoTime() + timeout.toNanos());
        try {
            leg.agentUri = m.addresses.createURI("sips:" + agent.aor().substring("sip:".length()));
            Request invite = m.messages.createRequest(
                    (URI) leg.agentUri.clone(),
                    Request.INVITE,
                    ep.provider().getNewCallId(),
                    m.headers.createCSeqHeader(1L, Request.INVITE),
                    (FromHeader) request.getHeader(FromHeader.NAME).clone(),
                    m.headers.createToHeader(m.addresses.createAddress(agent.aor()), null),
                    List.of(m.headers.createViaHeader(ep.listeningPoint().getIPAddress(),
                            ep.listeningPoint().getPort(), "tls", null)),
                    m.headers.createMaxForwardsHeader(70));
            invite.addHeader((ContactHeader) contact.clone());
            invite.setContent(request.getRawContent(), (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME)
                    .clone());
            String callId = SipText.callId(invite);
            byAgentCall.put(callId, leg);
            try {
                agent.flow().sendOnly(() -> {
                    ClientTransaction ct = ep.provider().getNewClientTransaction(invite);
                    InviteRelay.requireTls((TransactionExt) ct);
                    ct.sendRequest();
                    return null;
                });
            } catch (Exception e) {
                byAgentCall.remove(callId, leg);
                throw new Refusal(480, "target-unreachable", agent.aor() + " is unreachable");
            }
            counters.relayedFromNodes.increment();
            Answers.debug(() -> "passed a leg for " + agent.aor() + " from another node on " + agent.flow());
        } catch (Refusal r) {
            throw r;
        } catch (Exception e) {
            Answers.warn("cannot pass on a leg for " + agent.aor(), e);
            throw new Refusal(500, "internal-error", "Server Internal Error");
        }
    }

    /** The agent's answer to a leg passed on here; false if the response is not for one. */
    boolean onResponse(ResponseEvent event) {
        Response response = event.getResponse();
        Leg leg = byAgentCall.get(SipText.callId(response));
        if (leg == null) {
            return false;
        }
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        if (cseq == null || !Request.INVITE.equals(cseq.getMethod()) || response.getStatusCode() < 200) {
            return true;
        }
        byAgentCall.remove(SipText.callId(response), leg);
        if (response.getStatusCode() < 300) {
            ackAgent(leg, response);
        }
        if (!leg.answered.compareAndSet(false, true)) {
            return true;
        }
        int status = response.getStatusCode();
        String reason = response.getReasonPhrase();
        Response back = answers.messages.response(leg.request, status,
                reason == null || reason.isBlank() ? "Refused by the server agent" : reason);
        if (status < 300) {
            back.addHeader((ContactHeader) nodesContact.clone());
        }
        toNode(() -> {
            answers.send(leg.fromNode, back);
            leg.request.removeContent();
        });
        return true;
    }

    private void ackAgent(Leg leg, Response ok) {
        Flow flow = leg.agent.flow();
        try {
            Request ack = acks.forOk(ok, leg.agentUri, endpoint.listeningPoint().getIPAddress(),
                    endpoint.listeningPoint().getPort());
            flow.sendOnly(() -> {
                endpoint.provider().sendRequest(ack);
                return null;
            });
        } catch (Exception e) {
            Answers.debug(() -> "ACK to " + leg.agent.aor() + " failed: " + e);
        }
    }

    /** The agent's transaction timed out; true if it was a leg passed on here. */
    boolean onTimeout(String callId) {
        Leg leg = callId == null ? null : byAgentCall.remove(callId);
        if (leg == null) {
            return false;
        }
        timedOut(leg);
        return true;
    }

    /** From the key server's relay sweep: answers 408 for legs the agent did not answer in time. */
    void expire() {
        long now = System.nanoTime();
        byAgentCall.forEach((callId, leg) -> {
            if (now - leg.deadlineNanos >= 0 && byAgentCall.remove(callId, leg)) {
                timedOut(leg);
            }
        });
    }

    private void timedOut(Leg leg) {
        if (leg.answered.compareAndSet(false, true)) {
            toNode(() -> answers.refuse(leg.fromNode, leg.request, null, new Refusal(408, "relay-timeout",
                    "Server agent did not answer")));
        }
    }

    private void toNode(Runnable send) {
        try {
            nodeWrites.execute(send);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            Answers.debug(() -> "closing: an answer to another node is dropped");
        }
    }

    /** Answers every leg in flight (the key server is closing). */
    void closeAll() {
        byAgentCall.forEach((callId, leg) -> {
            if (byAgentCall.remove(callId, leg) && leg.answered.compareAndSet(false, true)) {
                answers.send(leg.fromNode, answers.messages.response(leg.request, 503, "Service Unavailable"));
            }
        });
    }
}
