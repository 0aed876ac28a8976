package dev.siptls.server;

import dev.siptls.sip.TlsIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import javax.net.ssl.SSLSocket;

/**
 * A peer that speaks SIP to the key server by hand over its own mutual-TLS socket, as an attacker with an
 * enrolled certificate would: from a chosen local port, with a chosen receive buffer, reading or not.
 */
final class RawPeer implements AutoCloseable {

    private final Socket tcp;
    private final SSLSocket socket;
    private final OutputStream out;
    private final InputStream in;
    private int cseq = 1;

    private RawPeer(Socket tcp, SSLSocket socket) throws IOException {
        this.tcp = tcp;
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** Connects as {@code identity}; {@code localPort} 0 for any, {@code receiveBuffer} 0 for the default. */
    static RawPeer connect(KeyServer server, TlsIdentity identity, int localPort, int receiveBuffer) throws Exception {
        return connect(server, identity, localPort, receiveBuffer, null);
    }

    /** Connects as {@code identity} speaking only {@code protocol} ("TLSv1.2", "TLSv1.3"). */
    static RawPeer connect(KeyServer server, TlsIdentity identity, String protocol) throws Exception {
        return connect(server, identity, 0, 0, protocol);
    }

    /** Connects as {@code identity} to any TLS listener, e.g. a node's links to the other nodes. */
    static RawPeer connect(java.net.InetSocketAddress address, TlsIdentity identity) throws Exception {
        return connect(address, identity, 0, 0, null);
    }

    private static RawPeer connect(KeyServer server, TlsIdentity identity, int localPort, int receiveBuffer,
            String protocol) throws Exception {
        return connect(server.address(), identity, localPort, receiveBuffer, protocol);
    }

    private static RawPeer connect(java.net.InetSocketAddress address, TlsIdentity identity, int localPort,
            int receiveBuffer, String protocol) throws Exception {
        Socket tcp = new Socket();
        tcp.setReuseAddress(true);
        if (receiveBuffer > 0) {
            tcp.setReceiveBufferSize(receiveBuffer);
        }
        tcp.bind(new InetSocketAddress("127.0.0.1", localPort));
        tcp.connect(address, 5_000);
        SSLSocket tls = (SSLSocket) identity.clientContext("127.0.0.1").getSocketFactory()
                .createSocket(tcp, "127.0.0.1", address.getPort(), true);
        if (protocol != null) {
            tls.setEnabledProtocols(new String[] {protocol});
        }
        tls.startHandshake();
        return new RawPeer(tcp, tls);
    }

    /** The protocol the handshake negotiated. */
    String protocol() {
        return socket.getSession().getProtocol();
    }

    /**
     * Starts a handshake on the established connection: a renegotiation in TLS 1.2, a KeyUpdate in TLS 1.3
     * (the JDK's meaning of a second {@code startHandshake}).
     */
    void handshakeAgain() throws IOException {
        socket.startHandshake();
    }

    /** Writes {@code bytes} on the TCP connection under TLS, as an on-path attacker could. */
    void sendUnderTls(byte[] bytes) throws IOException {
        tcp.getOutputStream().write(bytes);
        tcp.getOutputStream().flush();
    }

    int localPort() {
        return socket.getLocalPort();
    }

    void send(String message) throws IOException {
        out.write(message.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Writes {@code bytes} in one call: one TLS record, up to 16 KiB. */
    void sendRecord(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes {@code message} a byte at a time: one TLS record per byte. */
    void sendByteByByte(String message) throws IOException {
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            out.write(b);
            out.flush();
        }
    }

    /** The next raw byte, -1 at EOF, -2 if none arrives within {@code timeout}. */
    int readByte(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            return in.read();
        } catch (SocketTimeoutException e) {
            return -2;
        }
    }

    /** Sends {@code request} and returns the status of the first response that answers it. */
    int call(String request) throws IOException {
        send(request);
        String callId = header(request, "Call-ID");
        while (true) {
            String response = readMessage(Duration.ofSeconds(10));
            if (response == null) {
                throw new IOException("no answer within 10 s");
            }
            if (response.startsWith("SIP/2.0 ") && callId.equals(header(response, "Call-ID"))) {
                int status = Integer.parseInt(response.substring(8, 11));
                if (status >= 200) {
                    return status;
                }
            }
        }
    }

    String register(String aor, int expires) {
        return request("REGISTER", "sips:" + TestAgent.domain(aor), aor, aor,
                "Contact: <sips:raw@127.0.0.1:" + localPort() + ">\r\nExpires: " + expires + "\r\n", "", null);
    }

    String policy(String aor, String xml) {
        return request("MESSAGE", "sips:" + TestAgent.domain(aor), aor, aor, "", xml,
                "application/siptls-policy+xml");
    }

    /** An INVITE as one node sends another: the server agent's AOR, and a Route naming its flow by {@code token}. */
    String nodeInvite(String from, String target, String token, java.net.InetSocketAddress node) {
        return request("INVITE", target, from, target, "Contact: <sips:raw@127.0.0.1:" + localPort() + ">\r\n"
                + "Route: <sip:" + token + "@127.0.0.1:" + node.getPort() + ";transport=tls;lr>\r\n", "", null);
    }

    String invite(String aor, String target) {
        return request("INVITE", target, aor, target,
                "Contact: <sips:raw@127.0.0.1:" + localPort() + ">\r\n", "", null);
    }

    /** An OPTIONS whose answer repeats {@code viaBytes} of Via headers back at this peer. */
    String options(String aor, int viaBytes) {
        StringBuilder vias = new StringBuilder();
        int each = 4_000;
        for (int written = 0; written < viaBytes; written += each) {
            vias.append("Via: SIP/2.0/TLS 127.0.0.1:").append(localPort()).append(";branch=z9hG4bK")
                    .append(UUID.randomUUID().toString().replace("-", "")).append(";x=")
                    .append("a".repeat(each)).append("\r\n");
        }
        return request("OPTIONS", "sips:" + TestAgent.domain(aor), aor, aor, vias.toString(), "", null);
    }

    private String request(String method, String uri, String from, String to, String headers, String body,
            String type) {
        String id = UUID.randomUUID().toString();
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        boolean viaGiven = headers.startsWith("Via:");
        return method + " " + uri + " SIP/2.0\r\n"
                + (viaGiven ? headers : "")
                + "Via: SIP/2.0/TLS 127.0.0.1:" + localPort() + ";branch=z9hG4bK" + id.replace("-", "") + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <" + from + ">;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <" + to + ">\r\n"
                + "Call-ID: " + id + "\r\n"
                + "CSeq: " + (cseq++) + " " + method + "\r\n"
                + (viaGiven ? "" : headers)
                + (type == null ? "" : "Content-Type: " + type + "\r\n")
                + "Content-Length: " + content.length + "\r\n\r\n" + body;
    }

    /** The next whole message, or null if none arrives within {@code timeout}; EOF is an {@code IOException}. */
    String readMessage(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            int state = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed by the key server");
                }
                if (head.size() == 0 && (b == '\r' || b == '\n')) {
                    continue; // keep-alive
                }
                head.write(b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                        ? state + 1 : 0;
            }
        } catch (SocketTimeoutException e) {
            return null;
        }
        String text = head.toString(StandardCharsets.UTF_8);
        int length = Integer.parseInt(header(text, "Content-Length").trim());
        byte[] body = in.readNBytes(length);
        return text + new String(body, StandardCharsets.UTF_8);
    }

    /** Whether the key server closes this connection within {@code within} (messages meanwhile are skipped). */
    boolean closedWithin(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                readMessage(Duration.ofMillis(200));
            }
            return false;
        } catch (IOException closed) {
            return true;
        }
    }

    static String header(String message, String name) {
        for (String line : message.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    /**
     * Reads everything that arrives on a daemon thread, in bulk, adding to {@code count} each occurrence of
     * {@code marker} (e.g. a request line or status line); nothing else may read this peer meanwhile.
     */
    void countWhileReading(String marker, java.util.concurrent.atomic.AtomicLong count) {
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024 + m.length];
            int kept = 0;
            try {
                socket.setSoTimeout(0);
                for (int n; (n = in.read(buffer, kept, buffer.length - kept)) > 0; ) {
                    int end = kept + n;
                    for (int i = 0; i + m.length <= end; i++) {
                        if (java.util.Arrays.equals(buffer, i, i + m.length, m, 0, m.length)) {
                            count.incrementAndGet();
                        }
                    }
                    kept = Math.min(m.length - 1, end);
                    System.arraycopy(buffer, end - kept, buffer, 0, kept);
                }
            } catch (IOException closed) {
                // the test is over, or the key server closed the connection
            }
        }, "raw-peer-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Ends the connection with a reset, leaving no TIME_WAIT behind on this port. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
