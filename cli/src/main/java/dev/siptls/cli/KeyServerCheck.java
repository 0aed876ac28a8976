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
import java.util.Locale;
import java.util.UUID;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * Part 3 of {@code sip-tls check}: can this agent reach its key servers? Each {@code host:port} entry is probed
 * on its own (TCP connect, mutual-TLS handshake with the agent's identity against its trust store, one SIP
 * OPTIONS), so that a failure says which step failed; then the provider itself is configured from the file,
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

    private final CheckReport report;
    private final Duration timeout;

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
                status = options(tls, config.aor(), keyServer);
            } catch (SocketTimeoutException e) {
                report.fail(who + ": TLS handshake done, but no SIP answer within " + timeout.toSeconds() + "s",
                        "check that keyServer names the key server's SIP-over-TLS port", e);
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
            return true;
        } catch (IOException e) {
            report.fail(who + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), "check the network", e);
            return false;
        }
    }

    /** Sends one OPTIONS request and returns the first line of the answer. */
    private static String options(SSLSocket tls, String aor, HostPort keyServer) throws IOException {
        String local = tls.getLocalAddress().getHostAddress();
        String sentBy = (local.contains(":") ? "[" + local + "]" : local) + ":" + tls.getLocalPort();
        String id = UUID.randomUUID().toString();
        String request = "OPTIONS sip:" + keyServer + ";transport=tls SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS " + sentBy + ";branch=z9hG4bK" + id.replace("-", "") + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <" + aor + ">;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <sip:" + keyServer + ">\r\n"
                + "Call-ID: " + id + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
        OutputStream out = tls.getOutputStream();
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = tls.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("closed the connection without a SIP answer");
            }
            if (line.size() < 200 && b != '\r') {
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
            return "no TLS or SIP answer within the timeout: is this the key server's TLS port?";
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
