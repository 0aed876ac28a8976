package dev.siptls.sip;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts failed TLS handshakes of a listening endpoint and says why they failed, in the operator's terms: a
 * client certificate the trust store refuses (naming its subject and issuer), a peer that refused this
 * endpoint's certificate, no client certificate, a timeout. A certificate problem is a WARNING, anything else
 * (scanners, resets) INFO; at most one line per reason a minute, saying how many were left out, since anyone
 * who reaches the port can fail handshakes at will.
 */
final class HandshakeFailures {

    private static final System.Logger LOG = System.getLogger(AcceptedFlows.class.getName());
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Bounds the reasons remembered: "other" reasons are keyed by their text, which a peer may vary. */
    private static final int MAX_REASONS = 64;
    private static final Pattern REFUSED_ALERT = Pattern.compile("Received fatal alert: (bad_certificate"
            + "|unsupported_certificate|certificate_revoked|certificate_expired|certificate_unknown|unknown_ca"
            + "|access_denied)");

    private final AtomicLong count = new AtomicLong();
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** One reason's rate limit: when its next line may be logged, and how many were left out since the last. */
    private static final class Window {
        long next;
        int unlogged;
    }

    /** What a failure means: the key for its rate limit, its words, and how loud. */
    record Reason(String key, String text, Level level) {
    }

    long count() {
        return count.get();
    }

    void failed(InetSocketAddress peer, Exception e) {
        count.incrementAndGet();
        Reason reason = reasonOf(e);
        if (windows.size() > MAX_REASONS) {
            windows.clear();
        }
        Window window = windows.computeIfAbsent(reason.key(), k -> new Window());
        int unlogged;
        long now = System.nanoTime();
        synchronized (window) {
            if (window.next != 0 && now - window.next < 0) {
                window.unlogged++;
                return;
            }
            window.next = now + LOG_EVERY_NANOS;
            unlogged = window.unlogged;
            window.unlogged = 0;
        }
        LOG.log(reason.level(), "TLS handshake from {0}:{1} failed: {2}{3}", peer.getAddress().getHostAddress(),
                String.valueOf(peer.getPort()), reason.text(),
                unlogged == 0 ? "" : " (" + unlogged + " more like it in the last minute not logged)");
    }

    static Reason reasonOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UntrustedCertificateException u) {
                return new Reason("client certificate refused", "its client certificate does not validate against"
                        + " the trust store: " + u.detail() + " (subject " + u.subject() + ", issuer " + u.issuer()
                        + "); enrol it from a CA in the trust store, or add its CA to the trust store",
                        Level.WARNING);
            }
        }
        String message = messages(e);
        Matcher alert = REFUSED_ALERT.matcher(message);
        if (alert.find()) {
            return new Reason("peer refused our certificate", "it refused the key server's certificate (TLS alert "
                    + alert.group(1) + "): its trust store does not hold the CA that issued the key server's"
                    + " certificate (a key server with a new CA?), or that certificate does not carry the name the"
                    + " peer was given for it", Level.WARNING);
        }
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("empty client certificate chain") || lower.contains("certificate_required")
                || lower.contains("null cert chain")) {
            return new Reason("no client certificate", "it sent no client certificate", Level.INFO);
        }
        String text = AcceptedFlows.reason(e);
        return new Reason("other " + e.getClass().getName() + " " + text.substring(0, Math.min(40, text.length())),
                text, Level.INFO);
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
