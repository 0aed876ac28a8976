package dev.siptls.server;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import javax.sip.ServerTransaction;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Sends the key server's answers and keeps the books on them: every refusal is counted under its status
 * and key and logged at INFO with its reason, every other decision at DEBUG. Never logs a body.
 */
final class Answers {

    private static final Logger LOG = System.getLogger("dev.siptls.server.KeyServer");

    /** What a 503 asks for: an agent with another key server moves there at once instead. */
    private static final int RETRY_AFTER_SECONDS = 5;

    final SipMessages messages;
    private final Counters counters;

    Answers(SipMessages messages, Counters counters) {
        this.messages = messages;
        this.counters = counters;
    }

    /** Refuses {@code request}, counting and logging why. */
    void refuse(ServerTransaction tx, Request request, Origin origin, Refusal refusal) {
        counters.refused(refusal.status(), refusal.key());
        LOG.log(Level.INFO, () -> "refused " + request.getMethod() + " from " + SipText.from(request) + " on "
                + (origin == null ? "a link from another node" : origin) + ": " + refusal.status() + " " + refusal.reason());
        Response response = messages.response(request, refusal.status(), refusal.reason());
        if (refusal.status() == 405) {
            messages.addAllow(response);
        }
        if (refusal instanceof Registrar.MinExpires min) {
            messages.addMinExpires(response, min.seconds);
        }
        if (refusal.status() == 503) {
            messages.addRetryAfter(response, RETRY_AFTER_SECONDS);
        }
        if (refusal.status() == 415) {
            messages.addAccept(response);
        }
        send(tx, response);
    }

    /** Sends a response on its transaction; a failure (the agent went away) is only logged. */
    void send(ServerTransaction tx, Response response) {
        try {
            tx.sendResponse(response);
            if (response.getStatusCode() >= 300 && Request.INVITE.equals(tx.getRequest().getMethod())) {
                tx.getRequest().removeContent(); // the stack drops the transaction at its next tick, not at once
                // Otherwise the stack keeps the INVITE, body and all, for 32 s awaiting its ACK (RFC 3261 17.2.1,
                // Timer H), and an insider who never ACKs could fill the heap. Over a connection nothing is
                // retransmitted, so ending it now loses nothing; the ACK, if it comes, is stray and ignored.
                tx.terminate();
            }
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "could not send " + response.getStatusCode() + ": " + e);
        }
    }

    /**
     * The request's server transaction, made if the stack has none yet; null for a retransmission of a request
     * already in hand, and for one the stack would not track (e.g. an INVITE without Contact), which is answered 400
     * statelessly if {@code answerUntracked}.
     */
    ServerTransaction transaction(javax.sip.RequestEvent event, boolean answerUntracked) {
        Request request = event.getRequest();
        ServerTransaction tx = event.getServerTransaction();
        if (tx != null) {
            return tx;
        }
        javax.sip.SipProvider provider = (javax.sip.SipProvider) event.getSource();
        try {
            return provider.getNewServerTransaction(request);
        } catch (javax.sip.TransactionAlreadyExistsException retransmission) {
            return null;
        } catch (Exception e) {
            debug(() -> "no transaction for " + request.getMethod() + ": " + e);
            if (answerUntracked) {
                try {
                    provider.sendResponse(messages.response(request, 400, "Bad Request"));
                } catch (Exception unanswerable) {
                    debug(() -> "cannot answer " + request.getMethod() + " either: " + unanswerable);
                }
            }
            return null;
        }
    }

    static void debug(java.util.function.Supplier<String> message) {
        LOG.log(Level.DEBUG, message);
    }

    static void info(java.util.function.Supplier<String> message) {
        LOG.log(Level.INFO, message);
    }

    static void warn(String message, Throwable e) {
        LOG.log(Level.WARNING, message, e);
    }
}
