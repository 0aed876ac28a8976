package dev.siptls.provider.system;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Hand-made ClientHellos (an attacker's), and what the server answered to them. */
final class RawHello {

    static final SecureRandom RANDOM = new SecureRandom();

    boolean tls13 = true;
    byte[] sessionId = random(32);
    int[] pskModes = {1};
    List<byte[]> identities = new ArrayList<>();
    /** PSK for the first identity's binder; null: every binder random. */
    byte[] psk;
    int paddingBytes;
    String sni;
    boolean offerPsk = true;

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** The ClientHello handshake message (type, length, body). */
    byte[] message() throws Exception {
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        if (sni != null) {
            byte[] name = sni.getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream list = new ByteArrayOutputStream();
            list.write(0);
            u16(list, name.length);
            list.write(name);
            ByteArrayOutputStream v = new ByteArrayOutputStream();
            u16(v, list.size());
            v.write(list.toByteArray());
            extension(ext, 0, v.toByteArray());
        }
        extension(ext, 0x000a, new byte[]{0, 4, 0, 0x1d, 0, 0x17});
        extension(ext, 0x000d, new byte[]{0, 8, 4, 3, 8, 4, 4, 1, 8, 7});
        if (tls13) {
            extension(ext, 0x002b, new byte[]{4, 3, 4, 3, 3});
            byte[] ks = new byte[2 + 2 + 2 + 32];
            ks[0] = 0; ks[1] = 36; ks[2] = 0; ks[3] = 0x1d; ks[4] = 0; ks[5] = 32;
            System.arraycopy(random(32), 0, ks, 6, 32);
            extension(ext, 0x0033, ks);
            byte[] modes = new byte[1 + pskModes.length];
            modes[0] = (byte) pskModes.length;
            for (int i = 0; i < pskModes.length; i++) {
                modes[1 + i] = (byte) pskModes[i];
            }
            extension(ext, 0x002d, modes);
        } else {
            extension(ext, 0x000b, new byte[]{1, 0});
            extension(ext, 0x0017, new byte[0]);
            extension(ext, 0xff01, new byte[]{0});
        }
        if (paddingBytes > 0) {
            extension(ext, 0x0015, new byte[paddingBytes]);
        }
        byte[] pskExt = null;
        int bindersLength = 0;
        if (tls13 && offerPsk && !identities.isEmpty()) {
            ByteArrayOutputStream ids = new ByteArrayOutputStream();
            for (byte[] id : identities) {
                u16(ids, id.length);
                ids.write(id);
                ids.write(new byte[4]);
            }
            bindersLength = 2 + identities.size() * 33;
            ByteArrayOutputStream v = new ByteArrayOutputStream();
            u16(v, ids.size());
            v.write(ids.toByteArray());
            pskExt = v.toByteArray();
        }
        int extLength = ext.size() + (pskExt == null ? 0 : 4 + pskExt.length + bindersLength);

        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(3);
        body.write(3);
        body.write(random(32));
        body.write(sessionId.length);
        body.write(sessionId);
        byte[] suites = tls13 ? new byte[]{0x13, 1, 0x13, 2, 0x13, 3}
                : new byte[]{(byte) 0xc0, 0x2b, (byte) 0xc0, 0x2f, (byte) 0xc0, 0x2c, (byte) 0xc0, 0x30};
        u16(body, suites.length);
        body.write(suites);
        body.write(1);
        body.write(0);
        u16(body, extLength);
        body.write(ext.toByteArray());
        if (pskExt != null) {
            u16(body, 0x0029);
            u16(body, pskExt.length + bindersLength);
            body.write(pskExt);
        }
        // truncated hello: header + body so far
        int totalBody = body.size() + bindersLength;
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        msg.write(1);
        msg.write(totalBody >>> 16);
        msg.write(totalBody >>> 8);
        msg.write(totalBody);
        msg.write(body.toByteArray());
        if (pskExt != null) {
            byte[] truncated = msg.toByteArray();
            u16(msg, bindersLength - 2);
            for (int i = 0; i < identities.size(); i++) {
                msg.write(32);
                msg.write(i == 0 && psk != null ? binder(psk, truncated) : random(32));
            }
        }
        return msg.toByteArray();
    }

    /** The message in handshake records of at most 16384 bytes. */
    byte[] records() throws Exception {
        byte[] m = message();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 0; off < m.length; off += 16384) {
            int n = Math.min(16384, m.length - off);
            out.write(0x16);
            out.write(3);
            out.write(1);
            u16(out, n);
            out.write(m, off, n);
        }
        return out.toByteArray();
    }

    static byte[] binder(byte[] psk, byte[] truncatedHello) throws Exception {
        byte[] early = hmac(new byte[32], psk);
        byte[] binderKey = expandLabel(early, "ext binder", MessageDigest.getInstance("SHA-256").digest(), 32);
        byte[] finishedKey = expandLabel(binderKey, "finished", new byte[0], 32);
        return hmac(finishedKey, MessageDigest.getInstance("SHA-256").digest(truncatedHello));
    }

    static byte[] expandLabel(byte[] secret, String label, byte[] context, int length) throws Exception {
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        u16(info, length);
        byte[] l = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        info.write(l.length);
        info.write(l);
        info.write(context.length);
        info.write(context);
        info.write(1);
        byte[] t = hmac(secret, info.toByteArray());
        byte[] out = new byte[length];
        System.arraycopy(t, 0, out, 0, length);
        return out;
    }

    static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    private static void extension(ByteArrayOutputStream out, int type, byte[] value) throws IOException {
        u16(out, type);
        u16(out, value.length);
        out.write(value);
    }

    static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    /** What the server sent back, summarised: the ServerHello's facts, an alert, or a close. */
    record Answer(String what, boolean serverHello, boolean pskSelected, boolean helloRetry, byte[] echoedSessionId,
                  int alert, boolean certificateRequestOrMore, long millis) {
        @Override
        public String toString() {
            return what + " (" + millis + " ms)";
        }
    }

    static final byte[] HRR = hexBytes("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

    static byte[] hexBytes(String s) {
        return java.util.HexFormat.of().parseHex(s.toLowerCase());
    }

    /** Reads the first record(s) the server answers with, within the socket's timeout. */
    static Answer read(Socket socket, long started) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        try {
            int type = in.readUnsignedByte();
            in.readUnsignedShort();
            int len = in.readUnsignedShort();
            byte[] rec = new byte[len];
            in.readFully(rec);
            long ms = (System.nanoTime() - started) / 1_000_000;
            if (type == 0x15) {
                return new Answer("alert " + (rec[0] & 0xff) + "/" + (rec[1] & 0xff), false, false, false, null,
                        rec[1] & 0xff, false, ms);
            }
            if (type != 0x16 || rec[0] != 2) {
                return new Answer("record type " + type, false, false, false, null, -1, false, ms);
            }
            int p = 4;
            p += 2;
            byte[] random = java.util.Arrays.copyOfRange(rec, p, p + 32);
            p += 32;
            int sidLen = rec[p++] & 0xff;
            byte[] sid = java.util.Arrays.copyOfRange(rec, p, p + sidLen);
            p += sidLen;
            int suite = ((rec[p] & 0xff) << 8) | (rec[p + 1] & 0xff);
            p += 3;
            boolean psk = false;
            String version = "TLSv1.2";
            if (p < rec.length) {
                int extEnd = p + 2 + (((rec[p] & 0xff) << 8) | (rec[p + 1] & 0xff));
                p += 2;
                while (p < extEnd) {
                    int et = ((rec[p] & 0xff) << 8) | (rec[p + 1] & 0xff);
                    int el = ((rec[p + 2] & 0xff) << 8) | (rec[p + 3] & 0xff);
                    if (et == 0x0029) {
                        psk = true;
                    }
                    if (et == 0x002b) {
                        version = rec[p + 5] == 4 ? "TLSv1.3" : "?";
                    }
                    p += 4 + el;
                }
            }
            boolean hrr = java.util.Arrays.equals(random, HRR);
            return new Answer("ServerHello " + version + " suite=" + Integer.toHexString(suite) + " psk=" + psk
                    + (hrr ? " HRR" : "") + " sid=" + java.util.HexFormat.of().formatHex(sid), true, psk, hrr, sid,
                    -1, false, ms);
        } catch (EOFException e) {
            return new Answer("closed", false, false, false, null, -1, false,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (SocketTimeoutException e) {
            return new Answer("no answer (timeout)", false, false, false, null, -1, false,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (java.net.SocketException e) {
            return new Answer("reset: " + e.getMessage(), false, false, false, null, -1, false,
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** Sends {@code bytes} (then {@code trailer}) to localhost:port and reads the answer. */
    static Answer send(int port, byte[] bytes, byte[] trailer, int timeoutMillis) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(timeoutMillis);
            s.setTcpNoDelay(true);
            long t0 = System.nanoTime();
            s.getOutputStream().write(bytes);
            if (trailer != null) {
                s.getOutputStream().write(trailer);
            }
            s.getOutputStream().flush();
            return read(s, t0);
        }
    }
}
