package dev.siptls.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import dev.siptls.protocol.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sip-tls https-server HOST:PORT}: an HTTPS server as any JSSE application writes one (the JDK's
 * {@code HttpsServer}), on {@code SSLContext.getInstance("SIP-TLS")} from the installed providers, serving with the
 * key store it is given. Answers every request with a small page and prints a line per request saying whether its
 * handshake resumed via SIP.
 */
@Command(name = "https-server", mixinStandardHelpOptions = true,
        description = {"An HTTPS server (the JDK's HttpsServer) on SSLContext \"SIP-TLS\" of the installed SipTls"
                + " provider (-Djava.security.properties=<enrolment>/java.security), answering a small page and"
                + " printing per request whether its handshake resumed via SIP. Runs until Ctrl-C."})
final class HttpsServerCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "Where to listen; one of the enrolment's --serve.")
    String address;

    @Option(names = "--key-store", paramLabel = "FILE", required = true,
            description = "PKCS#12 key store to serve with (sip-tls enroll --serve writes tls-server.p12).")
    Path keyStore;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "File holding the key store's password (default: 'password' beside the key store).")
    Path passwordFile;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        var missing = InstalledProvider.notInstalled("https-server");
        if (missing.isPresent()) {
            err.println(missing.get());
            err.flush();
            return 1;
        }
        HostPort where;
        SSLContext context;
        try {
            where = HostPort.parse(address);
            InstalledProvider.served().flatMap(serve -> notServed(where, serve)).ifPresent(warning -> {
                err.println(warning);
                err.flush();
            });
            var keyManagers = KeyStoreFiles.keyManagers(keyStore,
                    passwordFile != null ? passwordFile : KeyStoreFiles.defaultPasswordFile(keyStore));
            context = SSLContext.getInstance("SIP-TLS"); // from the installed providers, as any application asks
            context.init(keyManagers, null, null);        // waits for the agent's registration (awaitRegistration)
        } catch (IllegalArgumentException e) {
            err.println("sip-tls https-server: " + e.getMessage());
            err.flush();
            return 1;
        }
        HttpsServer server;
        try {
            server = HttpsServer.create(new InetSocketAddress(where.host(), where.port()), 0);
        } catch (IOException e) {
            err.println("sip-tls https-server: cannot listen on " + where + " (" + e.getMessage()
                    + "); choose another HOST:PORT, and enrol it with --serve");
            err.flush();
            return 1;
        }
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> answer(exchange, out));
        ExecutorService executor = Executors.newFixedThreadPool(4);
        server.setExecutor(executor);
        server.start();
        String agent = InstalledProvider.bean().map(b -> b.addressOfRecord() + ", " + b.registrationState())
                .orElse("no provider bean");
        out.println("HTTPS server listening on https://" + where + "/ (SSLContext \"SIP-TLS\" of provider "
                + context.getProvider().getName() + ", agent " + agent + ")");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            executor.shutdown();
            stopped.countDown();
        }, "https-server-shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * A warning if no {@code serve} entry of the enrolment names {@code where}: the key server then binds no agent
     * to it and every client falls back to a full handshake. A warning, not a refusal: a listen address may rightly
     * differ from the names clients use (0.0.0.0, or 127.0.0.1 for localhost), which only a lookup can tell.
     */
    static Optional<String> notServed(HostPort where, List<HostPort> serve) {
        if (serve.stream().anyMatch(s -> s.port() == where.port() && sameHost(where.host(), s.host()))) {
            return Optional.empty();
        }
        return Optional.of("sip-tls https-server: warning: " + where + " is not among the enrolment's serve entries ("
                + (serve.isEmpty() ? "none" : serve.stream().map(HostPort::toString).collect(Collectors.joining(",")))
                + "): clients get no SA for it and fall back to full handshakes; listen on one of them, or enrol"
                + " this address with --serve");
    }

    /** Whether listening on {@code listen} serves clients that connect to {@code served}. */
    private static boolean sameHost(String listen, String served) {
        if (listen.equalsIgnoreCase(served)) {
            return true;
        }
        try {
            InetAddress at = InetAddress.getByName(listen);
            return at.isAnyLocalAddress() || Arrays.asList(InetAddress.getAllByName(served)).contains(at);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void answer(HttpExchange exchange, PrintWriter out) throws IOException {
        try (exchange) {
            SSLSession session = ((HttpsExchange) exchange).getSSLSession();
            String how = HttpsGetCommand.handshake(session);
            byte[] page = ("Hello from an HTTPS server on SSLContext \"SIP-TLS\".\n" + "Your connection: "
                    + session.getProtocol() + " " + session.getCipherSuite() + ", " + how + ".\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(page);
            }
            synchronized (out) {
                out.println(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " from "
                        + exchange.getRemoteAddress().getAddress().getHostAddress() + ":"
                        + exchange.getRemoteAddress().getPort() + ": " + session.getProtocol() + " "
                        + session.getCipherSuite() + ", " + how);
                out.flush();
            }
        }
    }
}
