package dev.siptls.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Names one of this node's flows to the other nodes of a cluster (RFC 5626 section 5.2 style): the flow's serial
 * number and a MAC over it and the AOR registered on it, under a key only this node holds, made fresh at start.
 * Another node routes an INVITE here with the token it read from the shared registration; this node sends it on
 * only if the MAC holds for that AOR and the flow with that serial is still the AOR's. No one, not even another
 * node, can point this node at a flow it did not name, and a token dies with the flow or with the process.
 */
final class FlowTokens {

    private static final int MAC_BYTES = 16;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    FlowTokens(SecureRandom random) {
        byte[] k = new byte[32];
        random.nextBytes(k);
        this.key = new SecretKeySpec(k, "HmacSHA256");
    }

    String mint(String aor, long serial) {
        byte[] token = ByteBuffer.allocate(8 + MAC_BYTES).putLong(serial).put(mac(aor, serial)).array();
        return ENCODER.encodeToString(token);
    }

    /** The serial {@code token} names for {@code aor}; empty if it was not minted here for that AOR. */
    OptionalLong verify(String token, String aor) {
        byte[] raw;
        try {
            raw = DECODER.decode(token);
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();
        }
        if (raw.length != 8 + MAC_BYTES) {
            return OptionalLong.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(raw);
        long serial = buffer.getLong();
        byte[] claimed = new byte[MAC_BYTES];
        buffer.get(claimed);
        return MessageDigest.isEqual(claimed, mac(aor, serial)) ? OptionalLong.of(serial) : OptionalLong.empty();
    }

    private byte[] mac(String aor, long serial) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(ByteBuffer.allocate(8).putLong(serial).array());
            byte[] full = mac.doFinal(aor.getBytes(StandardCharsets.UTF_8));
            byte[] cut = new byte[MAC_BYTES];
            System.arraycopy(full, 0, cut, 0, MAC_BYTES);
            return cut;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "FlowTokens[key hidden]";
    }
}
