package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.RegistrationState;
import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.SecurityAssociation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded, reproducible fuzzing of the key server's SIP front end: at least {@link #MUTATIONS} mutations of
 * valid messages (REGISTER, MESSAGE with a policy, INVITE, OPTIONS, ACK, a response) pipelined over a few
 * raw mutual-TLS connections whose client certificate proves an AOR, so that the bytes reach JAIN-SIP's
 * parser and the key server's logic. Afterwards the key server must still serve real agents, and closing it
 * must leave no thread behind. The seed is printed; {@code -Dsiptls.fuzz.seed=N} replays a run.
 *
 * <p>Measured with jain-sip-ri 1.3.0-91: some mutations end JAIN-SIP's per-connection parser thread with an
 * uncaught exception printed to stderr ({@code ArrayIndexOutOfBoundsException} in
 * {@code PipelinedMsgParser.readLine} for a line starting with three or more CRs; {@code RuntimeException "Max
 * content size Exceeded!"} for a Content-Length over the maximum message size). The parser's {@code finally}
 * closes its pipe, so the connection is dropped: safe, only noisy; this test lets it happen.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SipFuzzTest {

    static final int MUTATIONS = 10_000;
    /** Raw connections at a time: a few, so that each carries a long pipelined stream. */
    private static final int CONNECTIONS = 4;
    /** Messages after which a connection is replaced anyway, so that a stuck parser state does not last. */
    private static final int RECONNECT_EVERY = 200;
    /** Replaced connections a lane keeps open, so that their answers still arrive. */
    private static final int LINGERING = 8;
    /** A write making no progress this long means the server stopped reading: the connection is dropped. */
    private static final long STALL_MILLIS = 5_000;
    private static final String AOR = "sip:fuzz@example.com";
    private static final String POLICY = "<TLS><CipherSuite>" + Deployment.SUITE + "</CipherSuite>"
            + "<MaxLifetime>3600</MaxLifetime></TLS>";

    private static final Pattern CONTENT_LENGTH =
            Pattern.compile("(?im)^(?:content-length|l)[ \\t]*:[ \\t]*(\\d+)[ \\t]*\r\n");
    private static final Pattern STATUS = Pattern.compile("SIP/2\\.0 \\d{3} .*\r?");

    @TempDir
    Path dir;
    private Set<String> baseline;
    private Deployment deployment;
    private long seed;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger closedByServer = new AtomicInteger();
    private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> mutators = new ConcurrentHashMap<>();

    @BeforeAll
    void fuzz() throws Exception {
        seed = Long.getLong("siptls.fuzz.seed", 0x5EED_F022L);
        System.out.println("SIP fuzz seed " + seed + " (replay with -Dsiptls.fuzz.seed=" + seed + ")");
        baseline = Threads.snapshot();
        deployment = Deployment.start(dir, b -> b.handshakeTimeout(Duration.ofSeconds(30)));
        SSLContext tls = clientContext();
        long start = System.nanoTime();
        List<Thread> senders = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            int lane = c;
            // one Random per lane, derived from the seed: each lane's mutations are reproducible
            Random random = new Random(seed * 31 + lane);
            Thread t = new Thread(() -> {
                try {
                    runLane(tls, lane, random);
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, "fuzz-sender-" + lane);
            senders.add(t);
            t.start();
        }
        for (Thread t : senders) {
            t.join(TimeUnit.SECONDS.toMillis(90));
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("SIP fuzz: " + sent.get() + " mutations (seed " + seed + ") in " + millis + " ms over "
                + connections.get() + " connections, " + closedByServer.get() + " closed by the key server");
        System.out.println("SIP fuzz answers by status: " + new TreeMap<>(statuses));
        System.out.println("SIP fuzz mutators used: " + new TreeMap<>(mutators));
        assertTrue(failures.isEmpty(), "fuzz lanes failed: " + failures);
        assertTrue(senders.stream().noneMatch(Thread::isAlive), "a fuzz lane did not finish");
    }

    @AfterAll
    void stop() {
        if (deployment != null) {
            deployment.close();
        }
    }

    @Order(1)
    @Test
    void everyMutationWasSent() {
        assertTrue(sent.get() >= MUTATIONS, "sent " + sent.get() + " mutations");
    }

    @Order(2)
    @Test
    void keyServerStillRegistersARealAgentAfterTheFuzzing() throws Exception {
        SipTlsAgent agent = deployment.agent("sip:fuzz-survivor@example.com", Deployment.clientPolicy());

        assertEquals(RegistrationState.REGISTERED, agent.state());
    }

    @Order(3)
    @Test
    void keyServerStillDistributesAnAssociationAfterTheFuzzing() throws Exception {
        SipTlsAgent bob = deployment.agent("sip:fuzz-bob@example.com", Deployment.clientPolicy());
        SipTlsAgent alice = deployment.agent("sip:fuzz-alice@example.com", Deployment.clientPolicy());

        SecurityAssociation sa = alice.requestAssociation("sip:fuzz-bob@example.com").get(15, TimeUnit.SECONDS);

        assertNotNull(sa);
        assertEquals(Deployment.SUITE, sa.cipherSuite());
        assertTrue(bob.associations().bySessionId(sa.sessionId()).isPresent(), "bob does not hold the SA");
    }

    @Order(4)
    @Test
    void closingTheFuzzedKeyServerLeavesNoThreadBehind() throws Exception {
        deployment.close();
        deployment = null;

        Set<String> leaked = Threads.leakedSince(baseline, Duration.ofSeconds(15));

        assertTrue(leaked.isEmpty(), "threads left after the fuzzing: " + leaked);
    }

    /**
     * One connection lane: sends its share of the mutations, replacing the connection when the server closes
     * it, every {@link #RECONNECT_EVERY} messages, and after a message that would swallow what follows. A
     * replaced connection stays open (its reader still counting answers) until {@link #LINGERING} newer ones
     * have replaced it: the key server answers asynchronously, and closing at once would lose the answers.
     */
    private void runLane(SSLContext tls, int lane, Random random) throws Exception {
        int share = MUTATIONS / CONNECTIONS + (lane < MUTATIONS % CONNECTIONS ? 1 : 0);
        Deque<Connection> retired = new ArrayDeque<>();
        Connection connection = null;
        try {
            int sinceConnect = 0;
            for (int i = 0; i < share; i++) {
                if (connection == null || sinceConnect >= RECONNECT_EVERY) {
                    if (connection != null) {
                        retired.addLast(connection);
                        if (retired.size() > LINGERING) {
                            retired.removeFirst().close();
                        }
                    }
                    connection = connect(tls, lane);
                    sinceConnect = 0;
                }
                byte[] message = mutate(random, lane * 1_000_000 + i, connection.localPort());
                try {
                    connection.write(message);
                } catch (IOException closed) {
                    closedByServer.incrementAndGet();
                    connection.close();
                    connection = null;
                }
                sinceConnect++;
                sent.incrementAndGet();
                if (swallowsWhatFollows(message)) {
                    // its Content-Length would take the next messages as its body: a fresh connection lets them
                    // reach the parser as messages of their own
                    count(mutators, "~swallowing (connection replaced)");
                    sinceConnect = RECONNECT_EVERY;
                }
            }
            Thread.sleep(1_000); // the last answers
        } finally {
            if (connection != null) {
                connection.close();
            }
            retired.forEach(Connection::close);
        }
    }

    private Connection connect(SSLContext tls, int lane) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            // a plain socket under the TLS one: closing it ends the reader's read at once
            Socket raw = new Socket("127.0.0.1", deployment.keyServer.address().getPort());
            SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(raw, "127.0.0.1",
                    raw.getPort(), true);
            try {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                socket.setSoTimeout(500);
                connections.incrementAndGet();
                return new Connection(raw, socket, lane);
            } catch (IOException e) {
                raw.close();
                last = e;
                Thread.sleep(50);
            }
        }
        throw last;
    }

    /**
     * A raw mutual-TLS connection with a reader thread that counts and discards what comes back (so that no
     * buffer fills) and drops the connection if a write stalls.
     */
    private final class Connection {
        private final Socket raw;
        private final SSLSocket socket;
        private final Thread reader;
        private final AtomicLong writeStarted = new AtomicLong();
        private volatile boolean closing;

        Connection(Socket raw, SSLSocket socket, int lane) {
            this.raw = raw;
            this.socket = socket;
            this.reader = new Thread(this::read, "fuzz-reader-" + lane);
            reader.setDaemon(true);
            reader.start();
        }

        int localPort() {
            return socket.getLocalPort();
        }

        void write(byte[] message) throws IOException {
            writeStarted.set(System.nanoTime());
            try {
                OutputStream out = socket.getOutputStream();
                out.write(message);
                out.flush();
            } finally {
                writeStarted.set(0);
            }
        }

        private void read() {
            byte[] buffer = new byte[16384];
            StringBuilder line = new StringBuilder();
            try {
                InputStream in = socket.getInputStream();
                while (true) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (SocketTimeoutException quiet) {
                        long started = writeStarted.get();
                        if (closing) {
                            return;
                        }
                        if (started != 0 && System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
                            count(statuses, "write-stalled");
                            raw.close();
                            return;
                        }
                        continue;
                    }
                    if (n < 0) {
                        if (!closing) {
                            count(statuses, "closed-by-server");
                        }
                        return;
                    }
                    for (int k = 0; k < n; k++) {
                        char ch = (char) (buffer[k] & 0xff);
                        if (ch == '\n') {
                            String l = line.toString();
                            if (STATUS.matcher(l).matches()) {
                                count(statuses, l.substring(8, 11));
                            } else if (l.startsWith("SIP/2.0 ")) {
                                count(statuses, "odd: " + l.trim());
                            }
                            line.setLength(0);
                        } else if (line.length() < 64) {
                            line.append(ch);
                        }
                    }
                }
            } catch (IOException e) {
                if (!closing) {
                    count(statuses, "reset");
                }
            }
        }

        void close() {
            closing = true;
            try {
                raw.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                reader.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // valid messages and their mutations

    /** A valid message of a random kind, with its own branch, tag and Call-ID. */
    static String valid(Random random, int id, int port) {
        String via = "Via: SIP/2.0/TLS 127.0.0.1:" + port + ";branch=z9hG4bK-fuzz-" + id + "\r\n";
        String contact = "Contact: <sips:fuzz@127.0.0.1:" + port + ";transport=tls>\r\n";
        String from = "From: <" + AOR + ">;tag=f" + id + "\r\n";
        String callId = "Call-ID: fuzz-" + id + "@127.0.0.1\r\n";
        switch (random.nextInt(6)) {
            case 0:
                return "REGISTER sips:example.com SIP/2.0\r\n" + via + "Max-Forwards: 70\r\n" + from
                        + "To: <" + AOR + ">\r\n" + callId + "CSeq: " + (id % 100_000 + 1) + " REGISTER\r\n"
                        + contact + "Expires: 600\r\nContent-Length: 0\r\n\r\n";
            case 1:
                return "MESSAGE sips:example.com SIP/2.0\r\n" + via + "Max-Forwards: 70\r\n" + from
                        + "To: <sips:example.com>\r\n" + callId + "CSeq: 1 MESSAGE\r\n"
                        + "Content-Type: application/siptls-policy+xml\r\n"
                        + "Content-Length: " + POLICY.length() + "\r\n\r\n" + POLICY;
            case 2:
                return "INVITE sips:fuzz-target@example.com SIP/2.0\r\n" + via + "Max-Forwards: 70\r\n" + from
                        + "To: <sips:fuzz-target@example.com>\r\n" + callId + "CSeq: 1 INVITE\r\n" + contact
                        + "Content-Length: 0\r\n\r\n";
            case 3:
                return "OPTIONS sips:example.com SIP/2.0\r\n" + via + "Max-Forwards: 70\r\n" + from
                        + "To: <sips:example.com>\r\n" + callId + "CSeq: 1 OPTIONS\r\n"
                        + "Accept: application/sdp\r\nContent-Length: 0\r\n\r\n";
            case 4:
                return "ACK sips:fuzz-target@example.com SIP/2.0\r\n" + via + "Max-Forwards: 70\r\n" + from
                        + "To: <sips:fuzz-target@example.com>;tag=t" + id + "\r\n" + callId + "CSeq: 1 ACK\r\n"
                        + "Content-Length: 0\r\n\r\n";
            default:
                return "SIP/2.0 200 OK\r\n" + via + from + "To: <" + AOR + ">;tag=t" + id + "\r\n" + callId
                        + "CSeq: 1 INVITE\r\n" + contact + "Content-Length: 0\r\n\r\n";
        }
    }

    /** A valid message with one to three random mutations applied (one in twenty is left valid). */
    byte[] mutate(Random random, int id, int port) {
        byte[] m = valid(random, id, port).getBytes(StandardCharsets.ISO_8859_1);
        if (random.nextInt(20) == 0) {
            count(mutators, "none");
            return m;
        }
        int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            m = mutateOnce(random, m);
        }
        return random.nextBoolean() ? fixLength(m) : m;
    }

    private byte[] mutateOnce(Random random, byte[] m) {
        String text = new String(m, StandardCharsets.ISO_8859_1);
        int op = random.nextInt(16);
        switch (op) {
            case 0: {
                count(mutators, "byte-flip");
                byte[] copy = m.clone();
                int flips = 1 + random.nextInt(8);
                for (int k = 0; k < flips && copy.length > 0; k++) {
                    copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
                }
                return copy;
            }
            case 1: {
                count(mutators, "bit-flip");
                byte[] copy = m.clone();
                if (copy.length > 0) {
                    int at = random.nextInt(copy.length);
                    copy[at] ^= (byte) (1 << random.nextInt(8));
                }
                return copy;
            }
            case 2: {
                count(mutators, "delete-line");
                List<String> lines = lines(text);
                if (lines.size() > 1) {
                    lines.remove(random.nextInt(lines.size()));
                }
                return join(lines);
            }
            case 3: {
                count(mutators, "duplicate-line");
                List<String> lines = lines(text);
                int at = random.nextInt(lines.size());
                lines.add(at, lines.get(at));
                return join(lines);
            }
            case 4: {
                count(mutators, "swap-lines");
                List<String> lines = lines(text);
                int a = random.nextInt(lines.size());
                int b = random.nextInt(lines.size());
                String t = lines.get(a);
                lines.set(a, lines.get(b));
                lines.set(b, t);
                return join(lines);
            }
            case 5:
                count(mutators, "truncate");
                return Arrays.copyOf(m, m.length == 0 ? 0 : random.nextInt(m.length));
            case 6: {
                count(mutators, "header-garbage");
                List<String> lines = lines(text);
                int at = 1 + random.nextInt(Math.max(1, lines.size() - 1));
                if (at < lines.size()) {
                    String l = lines.get(at);
                    int colon = l.indexOf(':');
                    String name = colon > 0 ? l.substring(0, colon + 1) : l;
                    lines.set(at, name + " " + garbage(random, 1 + random.nextInt(200)));
                }
                return join(lines);
            }
            case 7: {
                count(mutators, "content-length");
                String[] values = {"999999999", "2147483648", "-1", "99999999999999999999", "abc", "", "0x10",
                        "131072", "65536", " 1 2", "00000000000000000000000000000000000000000000001"};
                String value = values[random.nextInt(values.length)];
                String replaced = text.replaceFirst("(?im)^Content-Length:[^\r\n]*", "Content-Length: " + value);
                return replaced.getBytes(StandardCharsets.ISO_8859_1);
            }
            case 8: {
                count(mutators, "no-blank-line");
                int end = text.indexOf("\r\n\r\n");
                String cut = end < 0 ? text : text.substring(0, end) + "\r\n" + text.substring(end + 4);
                return cut.getBytes(StandardCharsets.ISO_8859_1);
            }
            case 9: {
                count(mutators, "random-bytes");
                byte[] junk = new byte[1 + random.nextInt(2_000)];
                random.nextBytes(junk);
                return junk;
            }
            case 10: {
                count(mutators, "repeated-header");
                List<String> lines = lines(text);
                int at = 1 + random.nextInt(Math.max(1, lines.size() - 1));
                if (at < lines.size() && !lines.get(at).isEmpty()) {
                    String l = lines.get(at);
                    int times = 2 + random.nextInt(random.nextInt(10) == 0 ? 2_000 : 50);
                    for (int k = 0; k < times; k++) {
                        lines.add(at, l);
                    }
                }
                return join(lines);
            }
            case 11: {
                count(mutators, "long-line");
                List<String> lines = lines(text);
                int at = random.nextInt(Math.max(1, lines.size()));
                int length = random.nextInt(10) == 0 ? 60_000 + random.nextInt(120_000) : 1 + random.nextInt(8_000);
                String fill = "a;,<>@:=\"% \t";
                char c = fill.charAt(random.nextInt(fill.length()));
                lines.set(at, lines.get(at) + String.valueOf(c).repeat(length));
                return join(lines);
            }
            case 12: {
                count(mutators, "broken-xml");
                String[] bodies = {"<TLS><CipherSuite>", "<TLS>", "</TLS>", "<?xml version=\"1.0\"?><!DOCTYPE TLS "
                        + "[<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><TLS>&b;</TLS>",
                        "<!DOCTYPE TLS SYSTEM \"file:///etc/passwd\"><TLS/>", "<TLS>" + "<a>".repeat(5_000),
                        "<TLS><CipherSuite>TLS_NOPE</CipherSuite></TLS>", "<TLS x=\"1\"/>", "\u0000\u00ff<TLS>",
                        "<TLS><MaxLifetime>-1</MaxLifetime><CipherSuite>" + Deployment.SUITE + "</CipherSuite></TLS>",
                        "<TLS><Binding>::::</Binding><CipherSuite>" + Deployment.SUITE + "</CipherSuite></TLS>",
                        "<TLS><Certificate>!!!notbase64</Certificate><CipherSuite>" + Deployment.SUITE
                                + "</CipherSuite><Binding>localhost:1</Binding></TLS>",
                        POLICY.substring(0, random.nextInt(POLICY.length()))};
                String body = bodies[random.nextInt(bodies.length)];
                int end = text.indexOf("\r\n\r\n");
                String head = end < 0 ? text : text.substring(0, end + 4);
                if (!head.matches("(?is).*Content-Type:.*")) {
                    head = head.replaceFirst("\r\n", "\r\nContent-Type: application/siptls-policy+xml\r\n");
                }
                int length = random.nextBoolean() ? body.length() : random.nextInt(body.length() + 50);
                head = head.replaceFirst("(?im)^Content-Length:[^\r\n]*", "Content-Length: " + length);
                return (head + body).getBytes(StandardCharsets.ISO_8859_1);
            }
            case 13:
                count(mutators, "bare-lf");
                return text.replace("\r\n", random.nextBoolean() ? "\n" : "\r").getBytes(StandardCharsets.ISO_8859_1);
            case 14: {
                count(mutators, "start-line");
                String[] starts = {"FOO sips:example.com SIP/2.0", "REGISTER sips:example.com SIP/3.0",
                        "REGISTER  SIP/2.0", "SIP/2.0 999 What", "SIP/2.0 abc OK", "REGISTER sips:@ SIP/2.0",
                        "INVITE <sips:x> SIP/2.0", "SIP/2.0", "", "BYE sips:example.com SIP/2.0",
                        "CANCEL sips:example.com SIP/2.0", "PRACK sips:example.com SIP/2.0"};
                int eol = text.indexOf("\r\n");
                String rest = eol < 0 ? "" : text.substring(eol);
                return (starts[random.nextInt(starts.length)] + rest).getBytes(StandardCharsets.ISO_8859_1);
            }
            default: {
                count(mutators, "insert-bytes");
                byte[] insert = new byte[1 + random.nextInt(16)];
                String specials = "\u0000\r\n:;,<>\"\\ \t\u00ff%";
                for (int k = 0; k < insert.length; k++) {
                    insert[k] = (byte) specials.charAt(random.nextInt(specials.length()));
                }
                int at = m.length == 0 ? 0 : random.nextInt(m.length);
                byte[] out = new byte[m.length + insert.length];
                System.arraycopy(m, 0, out, 0, at);
                System.arraycopy(insert, 0, out, at, insert.length);
                System.arraycopy(m, at, out, at + insert.length, m.length - at);
                return out;
            }
        }
    }

    /**
     * Whether {@code message} declares a body far longer than what it carries (or a length the parser cannot
     * take), so that the messages after it on the connection would be read as its body.
     */
    static boolean swallowsWhatFollows(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        Matcher length = CONTENT_LENGTH.matcher(text.substring(0, end + 2));
        if (!length.find()) {
            return text.substring(0, end).toLowerCase(Locale.ROOT).contains("content-length");
        }
        String value = length.group(1);
        return value.length() >= 7 || Integer.parseInt(value) - (message.length - end - 4) > 1024;
    }

    /** {@code message} with its (single, numeric) Content-Length made true again, when it has a header block. */
    static byte[] fixLength(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return message;
        }
        Matcher length = CONTENT_LENGTH.matcher(text.substring(0, end + 2));
        if (!length.find()) {
            return message;
        }
        int from = length.start(1);
        int to = length.end(1);
        if (length.find()) {
            return message;
        }
        int body = message.length - end - 4;
        return (text.substring(0, from) + body + text.substring(to)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String garbage(Random random, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int k = 0; k < length; k++) {
            s.append((char) (random.nextInt(4) == 0 ? random.nextInt(256) : 0x20 + random.nextInt(0x5f)));
        }
        return s.toString();
    }

    private static List<String> lines(String text) {
        return new ArrayList<>(Arrays.asList(text.split("\r\n", -1)));
    }

    private static byte[] join(List<String> lines) {
        return String.join("\r\n", lines).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void count(Map<String, LongAdder> counts, String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private SSLContext clientContext() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(deployment.pki.ca().trustStore());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(Deployment.keyManagers(deployment.pki.agent(AOR)), tmf.getTrustManagers(), null);
        return context;
    }
}
