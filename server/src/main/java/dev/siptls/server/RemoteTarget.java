package dev.siptls.server;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;

/**
 * An agent registered on another node of the cluster: its shared record, its verified policy (null if it has
 * published none), the certificate its SAs are sealed to, and where its node takes requests from other nodes.
 */
record RemoteTarget(AgentRecord record, StoredPolicy policy, X509Certificate certificate, InetSocketAddress node) {

    String aor() {
        return record.aor();
    }

    @Override
    public String toString() {
        return "RemoteTarget[" + record.aor() + " on " + record.nodeId() + "]";
    }
}
