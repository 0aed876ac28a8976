package dev.siptls.provider;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a server must know of a ClientHello before any TLS engine reads it: whether it offers TLS 1.3 external
 * PSK identities, and which. A server connection of a SIP-TLS context reads no further: a hello that names a
 * TLS 1.3 SA it holds goes to the PSK engine ({@link Tls13PskEngine}), every other hello to BCJSSE, unchanged.
 *
 * <p>It reads the bytes without consuming them, gathering the ClientHello across handshake records (RFC 8446
 * §5.1 lets it span several), and answers {@link Verdict#NEED_MORE} until the whole message is there. Anything
 * it cannot read as a TLS 1.3 ClientHello with a {@code pre_shared_key} extension is {@link Verdict#OTHER}:
 * BCJSSE then sees exactly the bytes it would have seen, and answers them as it always did.
 */
final class ClientHelloPeek {

    /** The longest ClientHello read before giving up on it (BCJSSE then answers it as it would anyway). */
    static final int MAX_HELLO_BYTES = 1 << 16;

    private static final int RECORD_HEADER = 5;
    private static final int MAX_RECORD = (1 << 14) + 256;
    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int SERVER_NAME = 0;
    private static final int PRE_SHARED_KEY = 41;
    private static final int SUPPORTED_VERSIONS = 43;
    private static final int PSK_KEY_EXCHANGE_MODES = 45;
    private static final int TLS13 = 0x0304;

    enum Verdict {
        /** The bytes so far are the start of a ClientHello that may still name a PSK: read more. */
        NEED_MORE,
        /** Not a TLS 1.3 ClientHello that offers PSK identities: BCJSSE's to answer. */
        OTHER,
        /** A TLS 1.3 ClientHello that offers these PSK identities. */
        PSK
    }

    /**
     * @param identities the offered PSK identities, in the client's order (empty unless {@link Verdict#PSK})
     * @param dheOffered whether the client offers {@code psk_dhe_ke}, the only mode SIP-TLS accepts
     * @param serverName the SNI host name, or {@code null} if none was sent
     */
    record Result(Verdict verdict, List<byte[]> identities, boolean dheOffered, String serverName) {
        static final Result NEED_MORE = new Result(Verdict.NEED_MORE, List.of(), false, null);
        static final Result OTHER = new Result(Verdict.OTHER, List.of(), false, null);
    }

    private ClientHelloPeek() {
    }

    /** Reads the ClientHello at {@code src}'s position, leaving the buffer as it was. */
    static Result peek(ByteBuffer src) {
        ByteBuffer in = src.duplicate();
        ByteBuffer message = null;
        int messageLength = -1;
        while (true) {
            if (in.remaining() < RECORD_HEADER) {
                return Result.NEED_MORE;
            }
            int type = in.get() & 0xFF;
            int major = in.get() & 0xFF;
            in.get();
            int length = in.getShort() & 0xFFFF;
            if (type != HANDSHAKE || major != 3 || length == 0 || length > MAX_RECORD) {
                return Result.OTHER;
            }
            if (in.remaining() < length) {
                return Result.NEED_MORE;
            }
            ByteBuffer fragment = in.slice().limit(length);
            in.position(in.position() + length);
            if (message == null) {
                if (fragment.remaining() < 4) {
                    return Result.OTHER; // a hello's header split over records: legal, never seen; BCJSSE's
                }
                if ((fragment.get() & 0xFF) != CLIENT_HELLO) {
                    return Result.OTHER;
                }
                messageLength = ((fragment.get() & 0xFF) << 16) | ((fragment.get() & 0xFF) << 8)
                        | (fragment.get() & 0xFF);
                if (messageLength > MAX_HELLO_BYTES) {
                    return Result.OTHER;
                }
                message = ByteBuffer.allocate(messageLength);
            }
            if (fragment.remaining() > message.remaining()) {
                return Result.OTHER; // more than the hello in its records: not what a client sends first
            }
            message.put(fragment);
            if (!message.hasRemaining()) {
                return read(message.flip());
            }
        }
    }

    /** Reads one ClientHello body (RFC 8446 §4.1.2); malformed → {@link Verdict#OTHER}. */
    private static Result read(ByteBuffer hello) {
        try {
            skip(hello, 2 + 32); // legacy_version, random
            skip(hello, hello.get() & 0xFF); // legacy_session_id
            skip(hello, hello.getShort() & 0xFFFF); // cipher_suites
            skip(hello, hello.get() & 0xFF); // legacy_compression_methods
            if (!hello.hasRemaining()) {
                return Result.OTHER;
            }
            ByteBuffer extensions = slice(hello, hello.getShort() & 0xFFFF);
            boolean tls13 = false;
            boolean dhe = false;
            List<byte[]> identities = null;
            String serverName = null;
            while (extensions.hasRemaining()) {
                int type = extensions.getShort() & 0xFFFF;
                ByteBuffer data = slice(extensions, extensions.getShort() & 0xFFFF);
                switch (type) {
                    case SUPPORTED_VERSIONS -> tls13 = offersTls13(data);
                    case PSK_KEY_EXCHANGE_MODES -> dhe = offersDhe(data);
                    case SERVER_NAME -> serverName = hostName(data);
                    case PRE_SHARED_KEY -> {
                        if (extensions.hasRemaining()) {
                            return Result.OTHER; // RFC 8446 §4.2.11: it must be the last extension
                        }
                        identities = identities(data);
                    }
                    default -> { }
                }
            }
            if (!tls13 || identities == null || identities.isEmpty()) {
                return Result.OTHER;
            }
            return new Result(Verdict.PSK, List.copyOf(identities), dhe, serverName);
        } catch (RuntimeException malformed) { // BufferUnderflow, IllegalArgument: not ours to judge
            return Result.OTHER;
        }
    }

    private static boolean offersTls13(ByteBuffer data) {
        ByteBuffer versions = slice(data, data.get() & 0xFF);
        while (versions.remaining() >= 2) {
            if ((versions.getShort() & 0xFFFF) == TLS13) {
                return true;
            }
        }
        return false;
    }

    private static boolean offersDhe(ByteBuffer data) {
        ByteBuffer modes = slice(data, data.get() & 0xFF);
        while (modes.hasRemaining()) {
            if (modes.get() == 1) { // psk_dhe_ke
                return true;
            }
        }
        return false;
    }

    /** The first host_name of a server_name extension (RFC 6066 §3), as ASCII; null if none. */
    private static String hostName(ByteBuffer data) {
        ByteBuffer names = slice(data, data.getShort() & 0xFFFF);
        while (names.hasRemaining()) {
            int type = names.get() & 0xFF;
            byte[] name = new byte[names.getShort() & 0xFFFF];
            names.get(name);
            if (type == 0) {
                return new String(name, java.nio.charset.StandardCharsets.US_ASCII);
            }
        }
        return null;
    }

    private static List<byte[]> identities(ByteBuffer data) {
        ByteBuffer list = slice(data, data.getShort() & 0xFFFF);
        List<byte[]> identities = new ArrayList<>();
        while (list.hasRemaining()) {
            byte[] identity = new byte[list.getShort() & 0xFFFF];
            list.get(identity);
            list.getInt(); // obfuscated_ticket_age
            identities.add(identity);
        }
        return identities;
    }

    private static ByteBuffer slice(ByteBuffer in, int length) {
        ByteBuffer part = in.slice().limit(length);
        in.position(in.position() + length);
        return part;
    }

    private static void skip(ByteBuffer in, int length) {
        in.position(in.position() + length);
    }
}
