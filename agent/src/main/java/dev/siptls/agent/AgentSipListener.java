package dev.siptls.agent;

import dev.siptls.sip.SipEvents;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.header.AllowHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * JAIN-SIP's callbacks for one agent. They run on the thread that read the message (the stack's re-entrant
 * listener: the agent's one connection has one) or on the stack's timer thread, and never block. An SA
 * exchange is handled right there, with no hand-off: an offered SA is checked, stored and answered
 * ({@link AssociationOffers}), the answer to an SA request is taken and ACKed ({@link AssociationRequests}), both
 * from memory, their only waits the writes to the key server, which always reads. Everything else (registration,
 * keep-alive, timeouts, I/O failures) goes to the endpoint's worker thread, which owns that state.
 */
final class AgentSipListener implements SipEvents {

    private static final System.Logger LOG = System.getLogger(AgentSipListener.class.getName());

    private final String aor;
    private final SipProvider provider;
    private final ScheduledExecutorService worker;
    private final SipMessages messages;
    private final Registration registration;
    private final KeepAlive keepAlive;
    private final AssociationRequests requests;
    private final AssociationOffers offers;
    private final InetSocketAddress keyServer;

    AgentSipListener(String aor, SipProvider provider, ScheduledExecutorService worker, SipMessages messages,
            Registration registration, KeepAlive keepAlive, AssociationRequests requests, AssociationOffers offers,
            InetSocketAddress keyServer) {
        this.aor = aor;
        this.provider = provider;
        this.worker = worker;
        this.messages = messages;
        this.registration = registration;
        this.keepAlive = keepAlive;
        this.requests = requests;
        this.offers = offers;
        this.keyServer = keyServer;
    }

    @Override
    public void processRequest(RequestEvent event) {
        keepAlive.heard(); // an agent is reached only by its key server, over its flow
        Request request = event.getRequest();
        String method = request.getMethod();
        if (Request.ACK.equals(method)) {
            Dialog dialog = event.getDialog();
            if (dialog != null) {
                dialog.delete();
            }
            return;
        }
        ServerTransaction tx = event.getServerTransaction();
        if (tx == null) {
            try {
                tx = provider.getNewServerTransaction(request);
            } catch (TransactionAlreadyExistsException e) {
                return;
            } catch (Exception e) {
                LOG.log(Level.DEBUG, "{0}: cannot take {1}: {2}", aor, method, Registration.describe(e));
                return;
            }
        }
        ServerTransaction transaction = tx;
        if (Request.INVITE.equals(method)) {
            inline(() -> offers.onInvite(event, transaction));
        } else {
            submit(() -> answerOther(event, transaction));
        }
    }

    /** BYE (which SA dialogs do not need), CANCEL and OPTIONS get 200; anything else 405. */
    private void answerOther(RequestEvent event, ServerTransaction tx) {
        Request request = event.getRequest();
        String method = request.getMethod();
        try {
            if (Request.BYE.equals(method) || Request.CANCEL.equals(method) || Request.OPTIONS.equals(method)) {
                tx.sendResponse(messages.response(request, Response.OK, null));
                Dialog dialog = event.getDialog();
                if (Request.BYE.equals(method) && dialog != null) {
                    dialog.delete();
                }
            } else {
                Response response = messages.response(request, Response.METHOD_NOT_ALLOWED, null);
                AllowHeader allow = messages.allow("INVITE, ACK, BYE, CANCEL, OPTIONS");
                response.addHeader(allow);
                tx.sendResponse(response);
            }
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "{0}: answering {1} failed: {2}", aor, method, Registration.describe(e));
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        keepAlive.heard();
        ClientTransaction tx = event.getClientTransaction();
        CSeqHeader cseq = (CSeqHeader) event.getResponse().getHeader(CSeqHeader.NAME);
        if (cseq != null && Request.INVITE.equals(cseq.getMethod())) {
            // Only SA requests are INVITEs: registration and keep-alive never send one.
            inline(() -> requests.onResponse(event));
            return;
        }
        submit(() -> {
            if (!keepAlive.onResponse(tx, event.getResponse().getStatusCode())
                    && !registration.onResponse(tx, event.getResponse())) {
                requests.onResponse(event);
            }
        });
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (event.isServerTransaction()) {
            return;
        }
        ClientTransaction tx = event.getClientTransaction();
        submit(() -> {
            if (!keepAlive.onTimeout(tx) && !registration.onTimeout(tx)) {
                requests.onTimeout(tx);
            }
        });
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        String host = event.getHost();
        int port = event.getPort();
        String detail = event.getTransport() + " " + host + ":" + port;
        submit(() -> {
            if (isKeyServer(host, port)) {
                registration.onIoFailure(detail);
            }
        });
    }

    /** Worker thread: resolving {@code host} must not happen on the event thread. */
    private boolean isKeyServer(String host, int port) {
        try {
            return port == keyServer.getPort() && InetAddress.getByName(host).equals(keyServer.getAddress());
        } catch (Exception e) {
            return false;
        }
    }

    /** Runs {@code task} on this thread; a failure is logged, never allowed to kill the stack's thread. */
    private void inline(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, aor + ": handling a SIP event failed", e);
        }
    }

    /** Runs {@code task} on the worker; a failure is logged, never allowed to kill the worker. */
    private void submit(Runnable task) {
        try {
            worker.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, aor + ": handling a SIP event failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: nothing more to do
        }
    }
}
