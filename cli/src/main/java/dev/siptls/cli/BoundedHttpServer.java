package dev.siptls.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 server for a few plain-text answers to a monitoring system, bounded so that whoever reaches its
 * port can neither use up the process's file descriptors nor hold it with a few idle sockets. At most
 * {@code maxConnections} are open at once: one more closes the oldest, so a socket held open costs its holder its
 * place as soon as anyone else connects (refusing the newcomer instead would let that many idle sockets shut out
 * every health check). Each connection lives at most {@code deadline} from its accept, reading, answering and
 * closing together; its request line and headers may take at most {@link #MAX_HEAD_BYTES} (431 beyond). One request
 * per connection, answered with {@code Connection: close}. Each open connection has a thread of its own, so a slow
 * one delays no other. GET and HEAD only (405 otherwise), no request bodies; the handler maps a path to an answer.
 */
final class BoundedHttpServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(BoundedHttpServer.class.getName());
    static final int MAX_HEAD_BYTES = 8 * 1024;
    /** What is read of a client's leftovers after the answer, so that closing does not reset the answer away. */
    private static final int MAX_DRAIN_BYTES = 64 * 1024;
    private static final String TEXT = "text/plain; charset=utf-8";

    /** An answer: its status, its Content-Type and its body. */
    record Response(int status, String contentType, String body) {
    }

    /** The answer to a GET or HEAD of {@code path} (without its query). */
    interface Handler {
        Response answer(String path);
    }

    private final ServerSocket listener;
    private final int maxConnections;
    private final Duration deadline;
    /** The open connections in the order they were accepted; guarded by itself. */
    private final LinkedHashSet<Socket> open = new LinkedHashSet<>();
    private final ThreadPoolExecutor threads;
    private final ScheduledThreadPoolExecutor deadlines;
    private volatile Handler handler;

    private BoundedHttpServer(ServerSocket listener, int maxConnections, Duration deadline) {
        this.listener = listener;
        this.maxConnections = maxConnections;
        this.deadline = deadline;
        AtomicInteger n = new AtomicInteger();
        // threads start on demand and end when idle; never more than one per open connection
        this.threads = new ThreadPoolExecutor(maxConnections, maxConnections, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> daemon(task, "sip-tls-metrics-" + n.incrementAndGet()));
        threads.allowCoreThreadTimeOut(true);
        this.deadlines = new ScheduledThreadPoolExecutor(1, task -> daemon(task, "sip-tls-metrics-deadlines"));
        deadlines.setRemoveOnCancelPolicy(true);
    }

    /** Binds {@code address}; nothing is accepted until {@link #start}. */
    static BoundedHttpServer bind(InetSocketAddress address, int maxConnections, Duration deadline)
            throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.bind(address, 64);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        return new BoundedHttpServer(listener, maxConnections, deadline);
    }

    /** Starts accepting; each request's path goes to {@code handler}. */
    void start(Handler handler) {
        this.handler = handler;
        daemon(this::acceptLoop, "sip-tls-metrics-accept").start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** How many connections are open now; never more than {@code maxConnections}. */
    int openConnections() {
        synchronized (open) {
            return open.size();
        }
    }

    private void acceptLoop() {
        boolean failing = false;
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
                failing = false;
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
                if (!failing) {
                    LOG.log(System.Logger.Level.WARNING, "accepting a metrics connection failed: {0}", e.getMessage());
                    failing = true;
                }
                pause();
                continue;
            }
            admit(socket);
        }
    }

    private void admit(Socket socket) {
        Socket oldest = null;
        synchronized (open) {
            if (open.size() >= maxConnections) {
                Iterator<Socket> first = open.iterator();
                oldest = first.next();
                first.remove();
            }
            open.add(socket);
        }
        if (oldest != null) {
            LOG.log(System.Logger.Level.DEBUG, "closing the oldest of {0} metrics connections for a new one",
                    maxConnections);
            closeQuietly(oldest);
        }
        try {
            ScheduledFuture<?> expiry = deadlines.schedule(() -> closeQuietly(socket), deadline.toMillis(),
                    TimeUnit.MILLISECONDS);
            threads.execute(() -> {
                try {
                    exchange(socket);
                } finally {
                    expiry.cancel(false);
                    forget(socket);
                }
            });
        } catch (RejectedExecutionException e) {
            forget(socket); // closed meanwhile; its expiry, if scheduled, closes nothing more
        }
    }

    private void forget(Socket socket) {
        synchronized (open) {
            open.remove(socket);
        }
        closeQuietly(socket);
    }

    /** Reads one request and answers it; any I/O failure (a client gone, a deadline passed) just ends it. */
    private void exchange(Socket socket) {
        try {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            String head;
            try {
                head = readHead(in);
            } catch (HeadTooLarge e) {
                write(out, false, new Response(431, TEXT, "request line and headers over "
                        + MAX_HEAD_BYTES + " bytes\n"));
                closeGently(socket, in);
                return;
            }
            if (head == null) {
                return;
            }
            String[] line = head.split(" ", -1);
            if (line.length != 3 || !line[2].startsWith("HTTP/")) {
                write(out, false, new Response(400, TEXT, "bad request line\n"));
            } else if (!"GET".equals(line[0]) && !"HEAD".equals(line[0])) {
                write(out, false, new Response(405, TEXT, "method not allowed: GET or HEAD\n"));
            } else {
                String path = path(line[1]);
                write(out, "HEAD".equals(line[0]), path == null ? new Response(400, TEXT, "bad request target\n")
                        : answer(path));
            }
            closeGently(socket, in);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "a metrics connection ended: {0}", e.getMessage());
        }
    }

    private Response answer(String path) {
        try {
            return handler.answer(path);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "answering " + path + " failed", e);
            return new Response(500, TEXT, "internal error\n");
        }
    }

    /** The request line, once the blank line ending the head arrived; null if the client closed before. */
    private static String readHead(InputStream in) throws IOException {
        byte[] head = new byte[MAX_HEAD_BYTES];
        int n = 0;
        while (!endsWithBlankLine(head, n)) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (n == head.length) {
                throw new HeadTooLarge();
            }
            head[n++] = (byte) b;
        }
        return new String(head, 0, n, StandardCharsets.ISO_8859_1).strip().lines().findFirst().orElse("");
    }

    /** Whether the first {@code n} bytes end with an empty line, LF or CRLF. */
    private static boolean endsWithBlankLine(byte[] b, int n) {
        return n >= 2 && b[n - 1] == '\n' && (b[n - 2] == '\n' || n >= 3 && b[n - 2] == '\r' && b[n - 3] == '\n');
    }

    /** The path of a request target, origin form or absolute; null if it is neither. */
    private static String path(String target) {
        try {
            return new URI(target).getPath();
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static void write(OutputStream out, boolean headOnly, Response response) throws IOException {
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + response.status() + " " + reason(response.status()) + "\r\n"
                + "Content-Type: " + response.contentType() + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + (response.status() == 405 ? "Allow: GET, HEAD\r\n" : "")
                + "Connection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (!headOnly) {
            out.write(body);
        }
        out.flush();
    }

    /**
     * Ends the answer, then reads what the client still sends until it closes: closing with its bytes unread would
     * reset the connection, and a reset can drop the answer before the client read it. The deadline bounds the wait.
     */
    private static void closeGently(Socket socket, InputStream in) throws IOException {
        socket.shutdownOutput();
        byte[] sink = new byte[1024];
        int left = MAX_DRAIN_BYTES;
        for (int r; left > 0 && (r = in.read(sink, 0, Math.min(sink.length, left))) > 0; ) {
            left -= r;
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    /** Stops listening and closes every open connection; idempotent. */
    @Override
    public void close() {
        closeQuietly(listener);
        List<Socket> all;
        synchronized (open) {
            all = new ArrayList<>(open);
            open.clear();
        }
        all.forEach(BoundedHttpServer::closeQuietly);
        threads.shutdownNow();
        deadlines.shutdownNow();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing is all that was wanted
        }
    }

    /** A pause after a failed accept (e.g. no file descriptor left), so that the loop does not spin. */
    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    private static final class HeadTooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }
}
