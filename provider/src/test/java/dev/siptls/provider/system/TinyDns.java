package dev.siptls.provider.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DNS server on a loopback UDP port that answers SRV and A queries for names a test gives it (RFC 1035 wire
 * format, answers uncompressed but for the question's name), so that an agent can be configured with an SRV name
 * and {@code dns://127.0.0.1:port}. Other names get NXDOMAIN; a known name asked for a type it lacks gets an
 * empty answer.
 */
final class TinyDns implements AutoCloseable {

    private static final int SRV = 33;
    private static final int A = 1;

    /** One SRV record. */
    record Srv(int priority, int weight, int port, String target) {
    }

    private final DatagramSocket socket;
    private final Map<String, List<Srv>> srv = new ConcurrentHashMap<>();
    private final Map<String, InetAddress> a = new ConcurrentHashMap<>();
    private volatile boolean closed;

    TinyDns() throws SocketException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "tiny-dns");
        t.setDaemon(true);
        t.start();
    }

    /** {@code dns://127.0.0.1:<port>}. */
    String url() {
        return "dns://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + socket.getLocalPort();
    }

    void srv(String name, List<Srv> records) {
        srv.put(name.toLowerCase(Locale.ROOT), List.copyOf(records));
    }

    void a(String name, InetAddress address) {
        a.put(name.toLowerCase(Locale.ROOT), address);
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                byte[] answer = answer(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()));
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                // closed, or a malformed query: no answer
            }
        }
    }

    private byte[] answer(ByteBuffer query) {
        int id = query.getShort() & 0xffff;
        query.getShort(); // flags
        query.getShort(); // one question
        query.position(12);
        int questionStart = query.position();
        String name = readName(query);
        int type = query.getShort() & 0xffff;
        query.getShort(); // class IN
        int questionEnd = query.position();
        List<byte[]> records = new ArrayList<>();
        boolean known = srv.containsKey(name) || a.containsKey(name);
        if (type == SRV && srv.containsKey(name)) {
            for (Srv r : srv.get(name)) {
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                short16(data, r.priority());
                short16(data, r.weight());
                short16(data, r.port());
                writeName(data, r.target());
                records.add(data.toByteArray());
            }
        } else if (type == A && a.containsKey(name)) {
            records.add(a.get(name).getAddress());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        short16(out, id);
        short16(out, 0x8400 | 0x0100 | (known ? 0 : 3)); // response, authoritative, RD copied, NXDOMAIN if unknown
        short16(out, 1);
        short16(out, records.size());
        short16(out, 0);
        short16(out, 0);
        out.write(query.array(), questionStart, questionEnd - questionStart);
        for (byte[] data : records) {
            short16(out, 0xc00c); // the question's name
            short16(out, type);
            short16(out, 1);
            short16(out, 0);
            short16(out, 5); // TTL 5 s
            short16(out, data.length);
            out.write(data, 0, data.length);
        }
        return out.toByteArray();
    }

    private static String readName(ByteBuffer b) {
        StringBuilder name = new StringBuilder();
        int length;
        while ((length = b.get() & 0xff) != 0) {
            byte[] label = new byte[length];
            b.get(label);
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(new String(label, java.nio.charset.StandardCharsets.US_ASCII));
        }
        return name.toString().toLowerCase(Locale.ROOT);
    }

    private static void writeName(ByteArrayOutputStream out, String name) {
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            out.write(bytes.length);
            out.write(bytes, 0, bytes.length);
        }
        out.write(0);
    }

    private static void short16(ByteArrayOutputStream out, int value) {
        out.write((value >> 8) & 0xff);
        out.write(value & 0xff);
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
    }
}
