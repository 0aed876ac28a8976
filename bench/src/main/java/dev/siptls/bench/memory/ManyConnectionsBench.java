package dev.siptls.bench.memory;

import dev.siptls.sip.TlsIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLSocket;

/**
 * What an idle registered agent connection costs the key server: the key server in its own JVM
 * ({@link ForkedKeyServer}), then N agents each on its own mutual-TLS connection with its own certificate, each
 * sending one real REGISTER (from a template, over a plain JSSE socket: the agents are not what is measured)
 * and then staying silent. Reports the key server's threads and live heap before and after, per connection.
 *
 * <p>Usage: {@code ManyConnectionsBench [count,count,...]} (default 1000,3000). Each count opens as many file
 * descriptors twice on this machine (both ends), so mind {@code ulimit -n}.
 */
public final class ManyConnectionsBench {

    private static final int EXPIRES_SECONDS = 3600;

    private ManyConnectionsBench() {
    }

    public static void main(String[] args) throws Exception {
        String counts = args.length > 0 ? args[0] : "1000,3000";
        System.out.println("| connections | key-server threads before | after | live heap before (MiB) | after (MiB)"
                + " | heap per connection (bytes) | registrations |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String count : counts.split(",")) {
            run(Integer.parseInt(count.strip()));
        }
    }

    private static void run(int connections) throws Exception {
        BenchAgents pki = new BenchAgents();
        List<TlsIdentity> identities = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            identities.add(pki.identity("agent" + i, List.of(BenchAgents.aor("agent" + i))));
        }
        List<SSLSocket> sockets = new ArrayList<>();
        try (ForkedKeyServer keyServer = ForkedKeyServer.start(pki.ca())) {
            ForkedKeyServer.Heap before = keyServer.heap();
            try {
                for (int i = 0; i < connections; i++) {
                    SSLSocket socket = connect(identities.get(i), keyServer.address());
                    sockets.add(socket);
                    int status = register(socket, BenchAgents.aor("agent" + i));
                    if (status != 200) {
                        throw new IllegalStateException("REGISTER of agent" + i + " answered " + status);
                    }
                }
                ForkedKeyServer.Heap after = keyServer.heap();
                ForkedKeyServer.Counts registered = keyServer.counts();
                System.out.printf("| %d | %d | %d | %.1f | %.1f | %d | %d |%n", connections, before.threads(),
                        after.threads(), before.usedBytes() / 1048576.0, after.usedBytes() / 1048576.0,
                        (after.usedBytes() - before.usedBytes()) / connections, registered.registrations());
            } finally {
                for (SSLSocket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    private static SSLSocket connect(TlsIdentity identity, InetSocketAddress keyServer) throws Exception {
        SSLSocket socket = (SSLSocket) identity.clientContext("127.0.0.1").getSocketFactory()
                .createSocket(keyServer.getAddress(), keyServer.getPort());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000);
        socket.startHandshake();
        return socket;
    }

    /** Sends a REGISTER for {@code aor} and returns the final status. */
    private static int register(SSLSocket socket, String aor) throws IOException {
        String id = UUID.randomUUID().toString();
        String local = "127.0.0.1:" + socket.getLocalPort();
        String request = "REGISTER sips:" + BenchAgents.DOMAIN + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS " + local + ";branch=z9hG4bK" + id.replace("-", "") + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <" + aor + ">;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <" + aor + ">\r\n"
                + "Call-ID: " + id + "\r\n"
                + "CSeq: 1 REGISTER\r\n"
                + "Contact: <sips:agent@" + local + ">\r\n"
                + "Expires: " + EXPIRES_SECONDS + "\r\n"
                + "Content-Length: 0\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        while (true) {
            String response = readMessage(in);
            int status = Integer.parseInt(response.substring(8, 11));
            if (status >= 200) {
                return status;
            }
        }
    }

    private static String readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed by the key server");
            }
            if (head.size() == 0 && (b == '\r' || b == '\n')) {
                continue;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : 0;
        }
        String text = head.toString(StandardCharsets.UTF_8);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return text;
    }
}
