package dev.siptls.sip;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.SipListener;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;

/**
 * A {@link SipListener} that acts on requests and responses and, unless it overrides them, ignores the rest:
 * every endpoint here learns of timeouts, lost connections and ended transactions through its own timers and
 * checks, so these events carry nothing it must act on by default.
 */
public interface SipEvents extends SipListener {

    @Override
    default void processTimeout(TimeoutEvent event) {
    }

    @Override
    default void processIOException(IOExceptionEvent event) {
    }

    @Override
    default void processTransactionTerminated(TransactionTerminatedEvent event) {
    }

    @Override
    default void processDialogTerminated(DialogTerminatedEvent event) {
    }
}
