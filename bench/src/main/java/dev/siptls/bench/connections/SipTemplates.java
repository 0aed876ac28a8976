package dev.siptls.bench.connections;

import dev.siptls.protocol.ContentTypes;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The two requests of phase 1 (docs/PROTOCOL.md) as a load agent sends them, filled in from templates: the
 * same headers an agent's SIP stack writes (Via with {@code rport} naming the connection's own address, a
 * {@code sips:} Contact on it, Expires), so the key server parses and checks them as it would an agent's.
 */
final class SipTemplates {

    static final String REGISTRAR = "sips:example.com";
    /** RFC 5626 section 3.5.1: a client's keep-alive ping. */
    static final byte[] PING = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final String REGISTER = """
            REGISTER %1$s SIP/2.0\r
            Via: SIP/2.0/TLS %2$s:%3$d;rport;branch=z9hG4bK%4$s\r
            Max-Forwards: 70\r
            From: <%5$s>;tag=%6$s\r
            To: <%5$s>\r
            Call-ID: %4$s@%2$s\r
            CSeq: 1 REGISTER\r
            Contact: <sips:%7$s@%2$s:%3$d;transport=tls>\r
            Expires: %8$d\r
            Content-Length: 0\r
            \r
            """;

    private static final String MESSAGE = """
            MESSAGE %1$s SIP/2.0\r
            Via: SIP/2.0/TLS %2$s:%3$d;rport;branch=z9hG4bK%4$s\r
            Max-Forwards: 70\r
            From: <%5$s>;tag=%6$s\r
            To: <%1$s>\r
            Call-ID: %4$s@%2$s\r
            CSeq: 1 MESSAGE\r
            Content-Type: %7$s\r
            Content-Length: %8$d\r
            \r
            """;

    private SipTemplates() {
    }

    /** REGISTER binding {@code aor} (user {@code user}) to the connection whose local end is {@code local}. */
    static byte[] register(String aor, String user, InetSocketAddress local, int expires) {
        return String.format(REGISTER, REGISTRAR, local.getAddress().getHostAddress(), local.getPort(), token(),
                aor, token(), user, expires).getBytes(StandardCharsets.UTF_8);
    }

    /** MESSAGE publishing {@code policy} (an encoded policy) for {@code aor}. */
    static byte[] message(String aor, InetSocketAddress local, byte[] policy) {
        byte[] head = String.format(MESSAGE, REGISTRAR, local.getAddress().getHostAddress(), local.getPort(), token(),
                aor, token(), ContentTypes.POLICY, policy.length)
                .getBytes(StandardCharsets.UTF_8);
        byte[] request = new byte[head.length + policy.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(policy, 0, request, head.length, policy.length);
        return request;
    }

    private static String token() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }
}
