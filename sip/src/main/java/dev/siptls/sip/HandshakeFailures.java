package dev.siptls.sip;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts failed TLS handshakes of a listening endpoint and says why they failed, in the operator's terms: a
 * client certificate the trust store refuses (naming its subject and issuer), a peer that refused this
 * endpoint's certificate, no client certificate, a timeout. A certificate problem is a WARNING, anything else
 * (scanners, resets) INFO. Anyone who reaches the port can fail handshakes at will, and vary how: so lines are
 * limited per {@link Kind}, a fixed set, never per the failure's text, to one a minute each, saying how many of
 * that kind were left out since the last.
 */
final class HandshakeFailures {

    private static final System.Logger LOG = System.getLogger(AcceptedFlows.class.getName());
    static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final Pattern RECEIVED_ALERT = Pattern.compile("Received fatal alert: ([A-Za-z0-9_]{1,40})");
    private static final Pattern REFUSED_ALERT = Pattern.compile("bad_certificate|unsupported_certificate"
            + "|certificate_revoked|certificate_expired|certificate_unknown|unknown_ca|access_denied");

    /** What a failure is, as far as the operator acts on it; each kind has its own rate limit. */
    enum Kind {
        CLIENT_CERTIFICATE_NOT_TRUSTED(Level.WARNING),
        PEER_REFUSED_OUR_CERTIFICATE(Level.WARNING),
        NO_CLIENT_CERTIFICATE(Level.INFO),
        TIMEOUT(Level.INFO),
        PEER_CLOSED(Level.INFO),
        PEER_ALERT(Level.INFO),
        PROTOCOL_ERROR(Level.INFO);

        final Level level;

        Kind(Level level) {
            this.level = level;
        }
    }

    /** What a failure means: its kind, and its words, control characters escaped (they quote the peer). */
    record Reason(Kind kind, String text) {
        Reason {
            text = PrintableText.of(text);
        }
    }

    /** One kind's rate limit: when its next line may be logged, and how many were left out since the last. */
    private static final class Window {
        long next;
        boolean used;
        int unlogged;
    }

    private final AtomicLong count = new AtomicLong();
    private final Window[] windows = new Window[Kind.values().length];
    private final LongSupplier nanoTime;

    HandshakeFailures() {
        this(System::nanoTime);
    }

    /** With the clock the rate limits read (a test's own). */
    HandshakeFailures(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        for (int i = 0; i < windows.length; i++) {
            windows[i] = new Window();
        }
    }

    long count() {
        return count.get();
    }

    void failed(InetSocketAddress peer, Exception e) {
        count.incrementAndGet();
        Reason reason = reasonOf(e);
        Window window = windows[reason.kind().ordinal()];
        int unlogged;
        long now = nanoTime.getAsLong();
        synchronized (window) {
            if (window.used && now - window.next < 0) {
                window.unlogged++;
                return;
            }
            window.used = true;
            window.next = now + LOG_EVERY_NANOS;
            unlogged = window.unlogged;
            window.unlogged = 0;
        }
        LOG.log(reason.kind().level, "TLS handshake from {0}:{1} failed: {2}{3}",
                peer.getAddress().getHostAddress(), String.valueOf(peer.getPort()), reason.text(),
                unlogged == 0 ? "" : " (" + unlogged + " more of this kind since the last such line not logged)");
    }

    static Reason reasonOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UntrustedCertificateException u) {
                return new Reason(Kind.CLIENT_CERTIFICATE_NOT_TRUSTED, "its client certificate does not validate"
                        + " against the trust store: " + u.detail() + " (subject " + u.subject() + ", issuer "
                        + u.issuer() + "); enrol it from a CA in the trust store, or add its CA to the trust store");
            }
        }
        String message = messages(e);
        Matcher alert = RECEIVED_ALERT.matcher(message);
        String received = alert.find() ? alert.group(1) : null;
        if (received != null && REFUSED_ALERT.matcher(received).matches()) {
            return new Reason(Kind.PEER_REFUSED_OUR_CERTIFICATE, "it refused the key server's certificate (TLS alert "
                    + received + "): its trust store does not hold the CA that issued the key server's certificate"
                    + " (a key server with a new CA?), or that certificate does not carry the name the peer was given"
                    + " for it");
        }
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("empty client certificate chain") || lower.contains("certificate_required")
                || lower.contains("null cert chain")) {
            return new Reason(Kind.NO_CLIENT_CERTIFICATE, "it sent no client certificate");
        }
        String detail = AcceptedFlows.reason(e);
        if (lower.contains("tls handshake not completed within")) {
            return new Reason(Kind.TIMEOUT, detail);
        }
        if (received != null) {
            return new Reason(Kind.PEER_ALERT, "it sent the TLS alert " + received);
        }
        if (lower.contains("peer closed the connection") || lower.contains("close_notify during handshake")
                || lower.contains("connection reset")) {
            return new Reason(Kind.PEER_CLOSED, detail);
        }
        return new Reason(Kind.PROTOCOL_ERROR, "TLS protocol error: " + detail);
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
