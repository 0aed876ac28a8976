package dev.siptls.server;

import java.nio.charset.StandardCharsets;

/** Agent records for the cluster's tests; {@link AgentRecord}'s constructor is the key server's own. */
public final class TestRecords {

    private TestRecords() {
    }

    /** A record of {@code aor} on {@code nodeId}'s flow {@code flowToken}, expiring at {@code expiresAtMillis}. */
    public static AgentRecord record(String aor, String nodeId, String flowToken, long expiresAtMillis) {
        byte[] fingerprint = new byte[32];
        byte[] certificate = ("certificate of " + aor).getBytes(StandardCharsets.UTF_8);
        return new AgentRecord(aor, nodeId, flowToken, fingerprint, certificate, expiresAtMillis, null);
    }

    /** The same record with a policy. */
    public static AgentRecord withPolicy(AgentRecord record, byte[] policy) {
        return record.withPolicy(policy);
    }
}
