package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gov.nist.javax.sip.TransactionExt;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/** The gate in the sending path: an SA body leaves only on a TLS transaction, whatever led there. */
class TlsOnlyTest {

    @Test
    void refusesToSendASecurityAssociationOverPlainTcp() {
        assertThrows(IllegalStateException.class, () -> InviteRelay.requireTls(transactionOver("TCP")));
    }

    @Test
    void letsASecurityAssociationLeaveOverTls() {
        assertDoesNotThrow(() -> InviteRelay.requireTls(transactionOver("TLS")));
    }

    /** Only the transport matters to the gate; the rest of the transaction is never touched. */
    private static TransactionExt transactionOver(String transport) {
        return (TransactionExt) Proxy.newProxyInstance(TransactionExt.class.getClassLoader(),
                new Class<?>[] {TransactionExt.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getTransport")) {
                        return transport;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
