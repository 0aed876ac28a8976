package dev.siptls.server;

import dev.siptls.sip.TlsIdentity;
import java.util.Objects;

/**
 * Where a node of a cluster takes SIP requests from the other nodes, and the identity it shows them: a key store
 * issued by the cluster's own CA, whose trust store holds that CA only. Mutual TLS on this listener is required,
 * so only another node can send anything here; agents' certificates, from another CA, are refused at the handshake.
 *
 * @param port 0 picks a free one
 */
public record NodeLinks(TlsIdentity identity, String bindAddress, int port) {

    public NodeLinks {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("node links port out of range: " + port);
        }
    }
}
