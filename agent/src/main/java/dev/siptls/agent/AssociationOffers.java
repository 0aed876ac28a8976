package dev.siptls.agent;

import dev.siptls.protocol.ContentTypes;
import dev.siptls.protocol.InvalidBodyException;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.XmlCodec;
import dev.siptls.sip.CertificateNames;
import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.ServerTransactionExt;
import gov.nist.javax.sip.stack.SIPTransaction;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The server role of phase 2: the key server INVITEs this agent with an SA; the agent checks where it came
 * from and what it says, asks the application's {@link AssociationAcceptor}, stores it and answers
 * {@code 200 OK}, or refuses with {@code 403} (not from the key server, not over TLS), {@code 400} (no or a
 * malformed SA body) or {@code 488} (not for this agent, expired, already held, refused by the acceptor).
 * Runs on the SIP thread that read the INVITE, several agents' at once. No dialog is made (the agent runs without automatic dialogs): the key server's
 * ACK ends the exchange and finds nothing to end.
 */
final class AssociationOffers {

    private static final System.Logger LOG = System.getLogger(AssociationOffers.class.getName());

    private final Aor self;
    private final SipMessages messages;
    private final AssociationBodies bodies;
    private final AssociationStore store;
    private final AgentStatistics statistics;
    private final AssociationAcceptor acceptor;
    private final Clock clock;
    private final InetSocketAddress keyServer;
    private final String keyServerName;
    private final SharedCertificates certificates;

    AssociationOffers(Aor self, SipMessages messages, AssociationBodies bodies, AssociationStore store,
            AgentStatistics statistics, AssociationAcceptor acceptor, Clock clock, InetSocketAddress keyServer,
            String keyServerName, SharedCertificates certificates) {
        this.certificates = certificates;
        this.self = self;
        this.messages = messages;
        this.bodies = bodies;
        this.store = store;
        this.statistics = statistics;
        this.acceptor = acceptor;
        this.clock = clock;
        this.keyServer = keyServer;
        this.keyServerName = keyServerName;
    }

    /** Handles one INVITE whose server transaction exists already. */
    void onInvite(RequestEvent event, ServerTransaction tx) {
        Request invite = event.getRequest();
        Outcome outcome = judge(event, tx);
        try {
            if (outcome.association != null) {
                statistics.accepted();
                LOG.log(Level.DEBUG, "{0}: accepted {1}", self, outcome.association);
                tx.sendResponse(messages.response(invite, Response.OK, null));
            } else {
                statistics.refusedAsServer();
                LOG.log(Level.INFO, "{0}: refused an SA offer: {1} {2}", self, outcome.status, outcome.reason);
                tx.sendResponse(messages.response(invite, outcome.status, outcome.reason));
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "{0}: answering the key server''s INVITE failed: {1}", self,
                    Registration.describe(e));
        }
    }

    private Outcome judge(RequestEvent event, ServerTransaction tx) {
        Optional<String> notKeyServer = checkSource(event, tx);
        if (notKeyServer.isPresent()) {
            return Outcome.refuse(Response.FORBIDDEN, notKeyServer.get());
        }
        Request invite = event.getRequest();
        ContentTypeHeader type = (ContentTypeHeader) invite.getHeader(ContentTypeHeader.NAME);
        if (!AssociationBodies.isAssociation(type) || invite.getRawContent() == null) {
            return Outcome.refuse(Response.BAD_REQUEST, "expected an SA body");
        }
        SecurityAssociation sa;
        byte[] body = invite.getRawContent();
        try {
            sa = certificates.share(bodies.decode(type, body));
        } catch (InvalidBodyException e) {
            return Outcome.refuse(Response.BAD_REQUEST, e.getMessage());
        } catch (RuntimeException e) {
            return Outcome.refuse(Response.BAD_REQUEST, "unreadable SA: " + e.getClass().getSimpleName());
        } finally {
            // JAIN-SIP keeps the INVITE in its finished transaction for half a minute: not the secret too
            Arrays.fill(body, (byte) 0);
        }
        Optional<String> problem = AssociationChecks.forServer(sa, self, clock.instant());
        if (problem.isEmpty() && store.holds(sa.sessionIdHex())) {
            problem = Optional.of("session id " + sa.sessionIdHex() + " already held");
        }
        if (problem.isEmpty()) {
            try {
                problem = acceptor.refusal(sa);
            } catch (RuntimeException e) {
                problem = Optional.of("the acceptor failed: " + e.getClass().getSimpleName());
                LOG.log(Level.WARNING, "{0}: association acceptor threw", self, e);
            }
        }
        if (problem.isEmpty() && !store.put(sa, AssociationStore.Role.SERVER)) {
            problem = Optional.of("SA " + sa.sessionIdHex() + " expired or already held");
        }
        if (problem.isPresent()) {
            sa.destroy();
            return Outcome.refuse(Response.NOT_ACCEPTABLE_HERE, problem.get());
        }
        return new Outcome(sa, Response.OK, null);
    }

    /** SAs come from the key server only, over its TLS connection, whatever a request claims. */
    private Optional<String> checkSource(RequestEvent event, ServerTransaction tx) {
        if (!(tx instanceof SIPTransaction t) || !"TLS".equalsIgnoreCase(t.getTransport())) {
            return Optional.of("SAs travel only over TLS");
        }
        if (event instanceof RequestEventExt ext && !fromKeyServer(ext)) {
            return Optional.of("SAs come only from the key server");
        }
        try {
            Certificate[] chain = ((ServerTransactionExt) tx).getPeerCertificates();
            if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)
                    || !CertificateNames.matchesHost(leaf, keyServerName)) {
                return Optional.of("SAs come only from the key server " + keyServerName);
            }
        } catch (Exception e) {
            return Optional.of("SAs come only from an authenticated key server");
        }
        return Optional.empty();
    }

    private boolean fromKeyServer(RequestEventExt ext) {
        try {
            return InetAddress.getByName(ext.getRemoteIpAddress()).equals(keyServer.getAddress())
                    && ext.getRemotePort() == keyServer.getPort();
        } catch (Exception e) {
            return false;
        }
    }

    /** Accept (with the SA now stored) or refuse (with status and reason). */
    private record Outcome(SecurityAssociation association, int status, String reason) {
        static Outcome refuse(int status, String reason) {
            return new Outcome(null, status, reason);
        }
    }
}
