package dev.siptls.provider;

import java.io.ByteArrayOutputStream;
import java.util.Base64;

/**
 * A TLS 1.3 external PSK as the {@code SSL_SESSION} OpenSSL's {@code -psk_session} reads: ASN.1 version 1,
 * protocol 0x0304, the suite, an empty session id, the PSK as master key, {@code [1]} creation time (now: OpenSSL
 * will not use an expired one) and {@code [2]} lifetime. Test code: it puts the key in a String.
 */
final class OpenSslPskSession {

    private OpenSslPskSession() {
    }

    static String pem(byte[] key, int suite) {
        long now = System.currentTimeMillis() / 1000;
        byte[] der = tlv(0x30, concat(
                tlv(0x02, new byte[] {1}),
                tlv(0x02, new byte[] {0x03, 0x04}),
                tlv(0x04, new byte[] {(byte) (suite >> 8), (byte) suite}),
                tlv(0x04, new byte[0]),
                tlv(0x04, key),
                tlv(0xA1, tlv(0x02, java.math.BigInteger.valueOf(now).toByteArray())),
                tlv(0xA2, tlv(0x02, java.math.BigInteger.valueOf(7200).toByteArray()))));
        return "-----BEGIN SSL SESSION PARAMETERS-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(der) + "\n-----END SSL SESSION PARAMETERS-----\n";
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (value.length < 0x80) {
            out.write(value.length);
        } else if (value.length < 0x100) {
            out.write(0x81);
            out.write(value.length);
        } else {
            out.write(0x82);
            out.write(value.length >> 8);
            out.write(value.length);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
