package dev.siptls.cli;

import dev.siptls.provider.SipTlsProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sip-tls https-get URL}: an HTTPS client as any JSSE application writes one ({@code HttpsURLConnection},
 * default hostname verification) on {@code SSLContext.getInstance("SIP-TLS")} from the installed providers. Each
 * request goes over a new connection, so each is a handshake, and a line says whether it resumed via SIP (the
 * session carries the SA's id, {@code dev.siptls.association}) or was a full one (why: the provider's MXBean).
 */
@Command(name = "https-get", mixinStandardHelpOptions = true,
        description = {"GETs URL --count times, each over a new connection, on SSLContext \"SIP-TLS\" of the installed"
                + " SipTls provider (-Djava.security.properties=<enrolment>/java.security), and prints per request"
                + " whether the handshake resumed via SIP or was a full one. Exit code 0 if every request was answered"
                + " 2xx."})
final class HttpsGetCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "An https:// URL.")
    URI url;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1", description = "Requests to make (default: 1).")
    int count;

    @Option(names = "--trust-store", paramLabel = "FILE",
            description = "PKCS#12 trust store for the server's certificate (sip-tls enroll writes truststore.p12);"
                    + " default: the JDK's (javax.net.ssl.trustStore).")
    Path trustStore;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "File holding the trust store's password (default: 'password' beside the trust store).")
    Path passwordFile;

    /** Whether {@code session}'s handshake resumed a SIP-distributed SA. */
    static String handshake(SSLSession session) {
        return session.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION) != null ? "resumed via SIP" : "full handshake";
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        var missing = InstalledProvider.notInstalled("https-get");
        if (missing.isPresent()) {
            err.println(missing.get());
            err.flush();
            return 1;
        }
        if (!"https".equalsIgnoreCase(url.getScheme()) || count < 1) {
            err.println("sip-tls https-get: give an https:// URL and --count of at least 1");
            err.flush();
            return 2;
        }
        SSLContext context;
        try {
            TrustManager[] trust = trustStore == null ? null : KeyStoreFiles.trustManagers(trustStore,
                    passwordFile != null ? passwordFile : KeyStoreFiles.defaultPasswordFile(trustStore));
            context = SSLContext.getInstance("SIP-TLS"); // from the installed providers, as any application asks
            context.init(null, trust, null);              // waits for the agent's registration (awaitRegistration)
        } catch (IllegalArgumentException e) {
            err.println("sip-tls https-get: " + e.getMessage());
            err.flush();
            return 1;
        }
        // A new connection per request: a kept-alive one would make no handshake to tell about.
        System.setProperty("http.keepAlive", "false");
        Optional<InstalledProvider> bean = InstalledProvider.bean();
        int answered = 0;
        int viaSip = 0;
        for (int i = 1; i <= count; i++) {
            Map<String, Long> before = bean.map(InstalledProvider::fallbacksByReason).orElse(Map.of());
            try {
                Response r = get(url.toURL(), context);
                String how = handshake(r.session());
                if (how.equals("resumed via SIP")) {
                    viaSip++;
                } else {
                    how += reasons(before, bean.map(InstalledProvider::fallbacksByReason).orElse(Map.of()));
                }
                if (r.status() / 100 == 2) {
                    answered++;
                }
                out.println("request " + i + ": " + r.status() + ", " + r.session().getProtocol() + " "
                        + r.session().getCipherSuite() + ", " + how + (r.firstLine().isEmpty() ? ""
                        : " | " + r.firstLine()));
            } catch (IOException e) {
                out.println("request " + i + ": failed: " + e + (trustStore == null && aboutCertificates(e)
                        ? " (without --trust-store the JDK's own trust store judges the server's certificate:"
                        + " pass --trust-store <enrolment>/truststore.p12)" : ""));
            }
            out.flush();
        }
        out.println(count + " request(s): " + answered + " answered 2xx, " + viaSip + " resumed via SIP, "
                + (count - viaSip) + " not");
        out.flush();
        return answered == count ? 0 : 1;
    }

    private record Response(int status, SSLSession session, String firstLine) {
    }

    private static Response get(URL url, SSLContext context) throws IOException {
        HttpsURLConnection connection = (HttpsURLConnection) url.openConnection();
        connection.setSSLSocketFactory(context.getSocketFactory());
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(10_000);
        connection.setRequestProperty("Connection", "close");
        try {
            int status = connection.getResponseCode();
            SSLSession session = connection.getSSLSession().orElseThrow(() -> new IOException("no TLS session"));
            InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream();
            String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(status, session, text.lines().findFirst().orElse(""));
        } finally {
            connection.disconnect();
        }
    }

    private static boolean aboutCertificates(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException || String.valueOf(t.getMessage()).contains("certificate")) {
                return true;
            }
        }
        return false;
    }

    /** The reasons the provider counted for this full handshake, e.g. {@code (key-server-unavailable)}. */
    private static String reasons(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new HashMap<>();
        after.forEach((reason, n) -> {
            long d = n - before.getOrDefault(reason, 0L);
            if (d > 0) {
                delta.put(reason, d);
            }
        });
        return delta.isEmpty() ? "" : " (" + delta.keySet().stream().sorted().collect(Collectors.joining(", ")) + ")";
    }
}
