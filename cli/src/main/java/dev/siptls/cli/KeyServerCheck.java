package dev.siptls.cli;

import dev.siptls.agent.RegistrationState;
import dev.siptls.protocol.HostPort;
import dev.siptls.provider.SipTlsConfiguration;
import dev.siptls.provider.SipTlsHealth;
import dev.siptls.provider.SipTlsProvider;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * Part 3 of {@code sip-tls check}: can this agent reach its key servers? Each {@code host:port} entry is probed
 * on its own (TCP connect, mutual-TLS handshake with the agent's identity against its trust store, one SIP
 * OPTIONS), so that a failure says which step failed; then, over the same connection, a REGISTER without Contact
 * asks whether the AOR is registered now (docs/PROTOCOL.md, "Querying a registration"). If it is, an application
 * with this configuration is running and the check registers nothing: the key server keeps one registration per
 * AOR, and a second would take the application's over. If not, the provider itself is configured from the file,
 * started, and must register (REGISTER and policy MESSAGE accepted) before it is closed again.
 */
final class KeyServerCheck {

    /** Alerts by which a TLS server says it does not accept the client's certificate. */
    private static final String[] CERTIFICATE_ALERTS = {"bad_certificate", "certificate_unknown", "unknown_ca",
            "certificate_expired", "certificate_revoked", "unsupported_certificate", "access_denied",
            "certificate_required"};

    private static final String REISSUE = "the agent's certificate must be valid and issued by a CA in the key"
            + " server's trust store: issue it again from the key server's CA";

    private static final String SIP = "SIP/2.0 ";
    private static final int MAX_HEADER_LINES = 100;
    private static final String HUNG = "the key server may be hung or overloaded (it accepted the TCP connection,"
            + " then said nothing)";

    /** A SIP answer as far as the check reads it: the status line and the headers, names lower-cased. */
    private record Answer(String status, Map<String, String> headers) {
        int code() {
            try {
                return Integer.parseInt(status.substring(SIP.length(), SIP.length() + 3));
            } catch (RuntimeException e) {
                return -1;
            }
        }
    }

    private final CheckReport report;
    private final Duration timeout;
    /** The Contact a key server listed for the AOR: it is registered now, by a running application. */
    private String runningAt;

    KeyServerCheck(CheckReport report, Duration timeout) {
        this.report = report;
        this.timeout = timeout;
    }

    void run(SipTlsConfiguration config, Path file) {
        boolean anyAnswered = config.keyServers().isEmpty(); // SRV: only the registration can tell
        if (!anyAnswered) {
            for (HostPort keyServer : config.keyServers()) {
                anyAnswered |= probe(config, keyServer);
            }
        } else {
            report.info("key servers from " + config.describeKeyServers() + ": found by DNS at registration");
        }
        if (!anyAnswered) {
            report.skip("registration: no key server answered");
            return;
        }
        if (runningAt != null) {
            report.info("the policy was not checked: only check's own registration would publish it, and check did not"
                    + " register");
            return;
        }
        register(config, file);
    }

    /** One key server, step by step; whether it answered SIP over mutual TLS. */
    private boolean probe(SipTlsConfiguration config, HostPort keyServer) {
        String name = config.keyServerName().orElse(keyServer.host());
        String who = "key server " + keyServer;
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Socket tcp = new Socket();
        try (tcp) {
            try {
                tcp.connect(new InetSocketAddress(keyServer.host(), keyServer.port()), millis);
            } catch (UnknownHostException e) {
                report.fail(who + ": unknown host " + keyServer.host(), "fix keyServer", e);
                return false;
            } catch (ConnectException e) {
                report.fail(who + ": connection refused, nothing listens there",
                        "start the key server (sip-tls server), or fix keyServer's host:port", e);
                return false;
            } catch (SocketTimeoutException e) {
                report.fail(who + ": no answer to TCP connect within " + timeout.toSeconds() + "s",
                        "check that the host is up and no firewall drops the port", e);
                return false;
            }
            tcp.setTcpNoDelay(true);
            SSLSocket tls;
            try {
                tls = (SSLSocket) config.identity().clientContext(name).getSocketFactory()
                        .createSocket(tcp, keyServer.host(), keyServer.port(), true);
            } catch (GeneralSecurityException e) {
                report.fail(who + ": cannot set up TLS with the agent's identity: " + e.getMessage(),
                        "check keyStore and trustStore", e);
                return false;
            }
            tls.setSoTimeout(millis);
            try {
                tls.startHandshake();
            } catch (IOException e) {
                report.fail(who + ": " + tlsFailure(e), tlsTodo(e, name), e);
                return false;
            }
            String status;
            try {
                status = exchange(tls, options(tls, config.aor(), keyServer)).status();
            } catch (SocketTimeoutException e) {
                report.fail(who + ": TLS handshake done, but no SIP answer within " + timeout.toSeconds() + "s: is"
                        + " this the key server's SIP-over-TLS port? If it is, " + HUNG,
                        "check that keyServer names the key server's SIP-over-TLS port, and the key server's"
                        + " process, its log and /health/ready", e);
                return false;
            } catch (IOException e) {
                // With TLS 1.3 the client's handshake ends before the server has checked the client's certificate:
                // a refusal shows as an alert or, from a server that sends none, a closed connection.
                String alert = certificateAlert(e);
                report.fail(who + ": the key server refused this agent's certificate (" + (alert != null
                        ? "TLS alert " + alert : "it closed the connection right after the handshake: " + rootMessage(e))
                        + ")", REISSUE, e);
                return false;
            }
            if (!status.startsWith(SIP)) {
                report.fail(who + ": answered '" + status + "', not SIP", "check that keyServer names the key"
                        + " server's SIP-over-TLS port", null);
                return false;
            }
            report.ok(who + ": mutual TLS (" + tls.getSession().getProtocol() + ") as " + config.aor()
                    + ", its certificate " + subject(tls) + " trusted, answers SIP: " + status.substring(SIP.length()));
            return query(tls, config.aor(), keyServer, who);
        } catch (IOException e) {
            report.fail(who + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), "check the network", e);
            return false;
        }
    }

    /**
     * Asks over the probe's connection whether the AOR is registered now (REGISTER without Contact); whether the
     * key server answered. A registration found is kept in {@link #runningAt}: check must not take it over.
     */
    private boolean query(SSLSocket tls, String aor, HostPort keyServer, String who) throws IOException {
        Answer answer;
        try {
            answer = exchange(tls, request(tls, "REGISTER", "sips:" + domain(aor), aor, aor, 2, keyServer));
        } catch (SocketTimeoutException e) {
            report.fail(who + ": no answer to the registration query within " + timeout.toSeconds() + "s: " + HUNG,
                    "check the key server's process, its log and /health/ready", e);
            return false;
        }
        String contact = answer.headers().get("contact");
        if (answer.code() == 200 && contact != null) {
            runningAt = contact;
            report.ok(who + ": accepted this agent's certificate as proof of " + aor + " (it answered a"
                    + " registration query), and " + aor + " is registered now " + where(contact) + ": an application"
                    + " with this configuration is running. check did not register itself: that would take the"
                    + " running application's registration over");
        } else if (answer.code() == 200) {
            report.info(who + ": " + aor + " is registered nowhere now (registration query): check registers it");
        } else if (answer.code() == 400) {
            report.info(who + ": does not answer registration queries (" + answer.status().substring(SIP.length())
                    + "; a key server older than this check): check registers, which takes over the registration of"
                    + " an application running with this configuration, if there is one");
        } else {
            report.info(who + ": answered the registration query " + answer.status().substring(SIP.length()));
        }
        return true;
    }

    /** Where a listed Contact says the AOR is registered, in words. */
    private static String where(String contact) {
        int close = contact.indexOf('>');
        String uri = contact.startsWith("<") && close > 0 ? contact.substring(1, close) : contact;
        String params = close > 0 ? contact.substring(close + 1) : "";
        String node = param(params, "node");
        String expires = param(params, "expires");
        String at = null;
        if (uri.contains(";transport=")) {
            String hostPort = uri.substring(uri.indexOf('@') + 1, uri.indexOf(';'));
            at = "from " + hostPort;
        }
        String place = at == null && node != null ? "on key server node " + node
                : (at == null ? "as " + contact : at) + (node != null ? " on key server node " + node : "");
        return place + (expires != null ? " (for " + expires + " s more unless refreshed)" : "");
    }

    private static String param(String params, String name) {
        for (String p : params.split(";")) {
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase(name)) {
                String value = p.substring(eq + 1).strip();
                return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                        ? value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\") : value;
            }
        }
        return null;
    }

    private static String domain(String aor) {
        String rest = aor.substring(aor.indexOf(':') + 1);
        return rest.substring(rest.lastIndexOf('@') + 1);
    }

    private static String options(SSLSocket tls, String aor, HostPort keyServer) {
        return request(tls, "OPTIONS", "sip:" + keyServer + ";transport=tls", aor, "sip:" + keyServer, 1, keyServer);
    }

    /** A request with no body from {@code aor}, on its own Call-ID. */
    private static String request(SSLSocket tls, String method, String uri, String aor, String to, int cseq,
            HostPort keyServer) {
        String local = tls.getLocalAddress().getHostAddress();
        String sentBy = (local.contains(":") ? "[" + local + "]" : local) + ":" + tls.getLocalPort();
        String id = UUID.randomUUID().toString();
        return method + " " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS " + sentBy + ";branch=z9hG4bK" + id.replace("-", "") + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <" + aor + ">;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <" + to + ">\r\n"
                + "Call-ID: " + id + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /**
     * Sends {@code request} and reads the answer: its first line, and if that is SIP its headers and body (so the
     * next request's answer starts clean). Something not SIP is returned after its first line.
     */
    private static Answer exchange(SSLSocket tls, String request) throws IOException {
        OutputStream out = tls.getOutputStream();
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = tls.getInputStream();
        String status = line(in);
        Map<String, String> headers = new HashMap<>();
        if (!status.startsWith(SIP)) {
            return new Answer(status, headers);
        }
        for (int n = 0; n < MAX_HEADER_LINES; n++) {
            String header = line(in);
            if (header.isEmpty()) {
                break;
            }
            int colon = header.indexOf(':');
            if (colon > 0) {
                String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                headers.putIfAbsent(name.equals("m") ? "contact" : name.equals("l") ? "content-length" : name,
                        header.substring(colon + 1).strip());
            }
        }
        long body;
        try {
            body = Long.parseLong(headers.getOrDefault("content-length", "0"));
        } catch (NumberFormatException e) {
            throw new IOException("a SIP answer with Content-Length " + headers.get("content-length"), e);
        }
        in.skipNBytes(Math.min(body, 1 << 16));
        return new Answer(status, headers);
    }

    /** One line, without its CR LF, at most 1000 characters kept. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("closed the connection without a SIP answer");
            }
            if (line.size() < 1000 && b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static String subject(SSLSocket tls) {
        try {
            return ((java.security.cert.X509Certificate) tls.getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal().getName();
        } catch (IOException e) {
            return "(none)";
        }
    }

    private static String tlsFailure(IOException e) {
        if (has(e, CertificateException.class)) {
            return "this agent does not trust the key server's certificate (" + rootMessage(e) + ")";
        }
        String alert = certificateAlert(e);
        if (alert != null) {
            return "the key server refused this agent's certificate (TLS alert " + alert + ")";
        }
        if (e instanceof SocketTimeoutException) {
            return "no TLS or SIP answer within the timeout: is this the key server's TLS port? If it is, " + HUNG;
        }
        if (e instanceof EOFException || e instanceof SSLException && rootMessage(e).toLowerCase(Locale.ROOT)
                .contains("closed")) {
            return "closed the connection (" + rootMessage(e) + "): not a TLS port, or it refused this agent";
        }
        return "TLS or SIP failed: " + rootMessage(e);
    }

    private static String tlsTodo(IOException e, String name) {
        if (has(e, CertificateException.class)) {
            return "put the CA that issued the key server's certificate into trustStore, and make sure that"
                    + " certificate names " + name + " (or set keyServerName to a name it carries)";
        }
        if (certificateAlert(e) != null) {
            return REISSUE;
        }
        if (e instanceof SocketTimeoutException) {
            return "check that keyServer names the key server's TLS port, and the key server's process, its log and"
                    + " /health/ready";
        }
        return "check that keyServer names the key server's TLS port";
    }

    private static String certificateAlert(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (message.contains("alert")) {
                for (String alert : CERTIFICATE_ALERTS) {
                    if (message.contains(alert)) {
                        return alert;
                    }
                }
            }
        }
        return null;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** The provider as an application would run it: configured from the file, started, registered, closed. */
    private void register(SipTlsConfiguration config, Path file) {
        SipTlsProvider provider;
        try {
            provider = (SipTlsProvider) new SipTlsProvider().configure(file.toString());
        } catch (RuntimeException e) {
            report.fail("the provider cannot be configured from " + file + ": " + e.getMessage(), "see above", e);
            return;
        }
        long started = System.nanoTime();
        try {
            provider.start();
            try {
                provider.assertHealthy(timeout);
            } catch (IllegalStateException e) {
                // the bridge is reported apart (bctls); here only the registration counts
            }
            SipTlsHealth health = provider.health();
            long millis = (System.nanoTime() - started) / 1_000_000;
            if (health.registration() == RegistrationState.REGISTERED) {
                report.ok("the provider's agent registered as " + config.aor() + " and its policy was accepted ("
                        + millis + " ms), then unregistered and closed");
            } else {
                report.fail("the provider's agent is " + health.registration() + " after " + timeout.toSeconds()
                        + "s, not registered" + health.lastError().map(e -> ": " + e).orElse(""),
                        "see the key server's log for why it refused " + config.aor(), null);
            }
        } catch (IOException e) {
            report.fail("the provider's agent cannot start: " + e.getMessage(), "check bindAddress", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            report.fail("interrupted while waiting for the registration", null);
        } finally {
            close(provider);
        }
    }

    private void close(SipTlsProvider provider) {
        try {
            provider.close();
        } catch (RuntimeException e) {
            report.fail("the provider did not close cleanly: " + e, "run again with --verbose", e);
        }
    }
}
