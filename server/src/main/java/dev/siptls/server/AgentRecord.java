package dev.siptls.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * One registration as the nodes of a cluster share it: the AOR, the node and flow it is reached over (the flow
 * as that node's protected token, see {@link FlowTokens}), the certificate that proved it (its SHA-256 and DER:
 * SAs are sealed to its key), until when, and the verified policy if one was accepted. Immutable; written as bytes
 * so that the shared store needs no marshaller of its own.
 */
public final class AgentRecord {

    private static final int FORMAT = 1;

    private final String aor;
    private final String nodeId;
    private final String flowToken;
    private final byte[] fingerprint;
    private final byte[] certificate;
    private final long expiresAtMillis;
    private final byte[] policy;

    AgentRecord(String aor, String nodeId, String flowToken, byte[] fingerprint, byte[] certificate,
            long expiresAtMillis, byte[] policy) {
        this.aor = Objects.requireNonNull(aor, "aor");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.flowToken = Objects.requireNonNull(flowToken, "flowToken");
        this.fingerprint = fingerprint.clone();
        this.certificate = certificate.clone();
        this.expiresAtMillis = expiresAtMillis;
        this.policy = policy == null ? null : policy.clone();
    }

    public String aor() { return aor; }
    public String nodeId() { return nodeId; }
    public String flowToken() { return flowToken; }
    public long expiresAtMillis() { return expiresAtMillis; }
    public boolean hasPolicy() { return policy != null; }
    public boolean isExpired(long nowMillis) { return nowMillis >= expiresAtMillis; }

    byte[] fingerprint() { return fingerprint.clone(); }
    byte[] certificate() { return certificate.clone(); }
    /** The encoded {@link StoredPolicy}, or null. */
    byte[] policy() { return policy == null ? null : policy.clone(); }

    AgentRecord withPolicy(byte[] encodedPolicy) {
        return new AgentRecord(aor, nodeId, flowToken, fingerprint, certificate, expiresAtMillis, encodedPolicy);
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + certificate.length
                + (policy == null ? 0 : policy.length));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(aor);
            out.writeUTF(nodeId);
            out.writeUTF(flowToken);
            writeBytes(out, fingerprint);
            writeBytes(out, certificate);
            out.writeLong(expiresAtMillis);
            out.writeBoolean(policy != null);
            if (policy != null) {
                writeBytes(out, policy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException if {@code bytes} is not a record this version wrote */
    public static AgentRecord fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("agent record format " + format + ", expected " + FORMAT);
            }
            String aor = in.readUTF();
            String nodeId = in.readUTF();
            String token = in.readUTF();
            byte[] fingerprint = readBytes(in);
            byte[] certificate = readBytes(in);
            long expires = in.readLong();
            byte[] policy = in.readBoolean() ? readBytes(in) : null;
            return new AgentRecord(aor, nodeId, token, fingerprint, certificate, expires, policy);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated agent record", e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1 << 20) {
            throw new IOException("field of " + n + " bytes");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    @Override
    public String toString() {
        return "AgentRecord[" + aor + " on " + nodeId + ", policy=" + (policy != null) + "]";
    }
}
