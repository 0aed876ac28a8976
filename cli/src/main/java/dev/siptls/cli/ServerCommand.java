package dev.siptls.cli;

import dev.siptls.cluster.ClusterConfig;
import dev.siptls.cluster.ClusterNode;
import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerConfig;
import dev.siptls.server.NodeLinks;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sip-tls server}: runs a key server until Ctrl-C. Without {@code --config} naming a key store it
 * creates (or reloads) demo credentials in {@code --data-dir} and says how agents use them.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Runs a SIP-TLS key server until Ctrl-C.",
            "Without a keystore in --config it creates (first run) or loads demo credentials in --data-dir:"
                + " a demo CA, a trust store, the key server's identity (127.0.0.1), agent"
                + " identities and a TLS server identity, and prints how to use them."})
final class ServerCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", converter = PortConverter.class, description = "TLS port (default: 5061; 0 picks a free one).")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to listen on (default: 127.0.0.1).")
    String bind;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file (see --help-config for its keys).")
    Path config;

    static final String DEFAULT_DATA_DIR = "sip-tls-data";

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = DEFAULT_DATA_DIR,
            description = "Where demo credentials are kept (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--plain-tcp-port", paramLabel = "PORT", converter = PortConverter.class,
            description = "Also listen on plain TCP for conformance tools such as sipp (nothing secure succeeds there).")
    Integer plainTcpPort;

    @Option(names = "--cluster", paramLabel = "MEMBERS",
            description = "Join other key servers as one: their cluster ports, host:port,... (docs/CLUSTER.md).")
    String clusterMembers;

    @Option(names = "--cluster-port", paramLabel = "PORT", converter = PortConverter.class, description = "This node's cluster port (default 7800).")
    Integer clusterPort;

    @Option(names = "--node-name", paramLabel = "NAME",
            description = "This node's name in the cluster, unique (default keyserver-<cluster port>).")
    String nodeName;

    @Option(names = "--links-port", paramLabel = "PORT", converter = PortConverter.class,
            description = "Where this node takes SIP requests from the other nodes (default 0: a free port).")
    Integer linksPort;

    @Option(names = "--metrics", paramLabel = "ADDRESS", converter = MetricsAddressConverter.class,
            description = "Serve Prometheus metrics and health checks over plain HTTP on host:port (e.g."
                    + " 127.0.0.1:9464): /metrics, /health/live, /health/ready.")
    InetSocketAddress metricsAddress;

    /** The metrics endpoint {@link #start} opened, if asked for; closed by whoever closes the key server. */
    MetricsEndpoint metrics;

    @Option(names = "--verbose", description = "Log every decision (DEBUG), never a body; on an error, print its stack trace too.")
    boolean verbose;

    @Option(names = "--help-config", description = "Print the configuration keys and exit.")
    boolean helpConfig;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (helpConfig) {
            out.println(CONFIG_HELP);
            out.flush();
            return 0;
        }
        configureLogging(verbose);
        KeyServer server = start(out); // a UserError is said in one line by SipTlsCommand's handler
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (metrics != null) {
                metrics.close();
            }
            out.println("Key server stopped.");
            out.flush();
            stopped.countDown();
        }, "sip-tls-shutdown"));
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stopped.await();
        return 0;
    }

    /** Starts the server as configured and prints where it listens and what credentials it uses. */
    KeyServer start(PrintWriter out) throws Exception {
        ServerSettings settings = config == null ? ServerSettings.none() : ServerSettings.load(config);
        Path base = config == null ? Path.of(".") : config.toAbsolutePath().getParent();
        ClusterSettings cluster = settings.cluster().withFlags(clusterMembers, clusterPort, nodeName, linksPort);
        KeyServerConfig.Builder b = KeyServerConfig.builder();
        if (cluster.enabled()) {
            b.name(configured(cluster::nodeName)); // the file's name, if any, wins
        }
        configured(() -> settings.apply(b, base)); // a mistake in the file is reported before any credential is touched
        InetSocketAddress metricsBind;
        if (metricsAddress != null) {
            try {
                metricsBind = MetricsEndpoint.resolve(metricsAddress);
            } catch (IllegalArgumentException e) {
                throw new UserError("--metrics " + MetricsEndpoint.hostPort(metricsAddress) + ": " + e.getMessage(), e);
            }
        } else {
            // the file's value is a configuration error (exit 1) naming the file; the flag's is a usage error (2)
            metricsBind = configured(() -> settings.metrics().map(ServerCommand::metricsKey).orElse(null));
        }
        DemoCredentials demo = null;
        if (settings.hasIdentity()) {
            b.identity(configured(() -> settings.identity(base)));
        } else {
            demo = DemoCredentials.ensure(dataDir.toAbsolutePath().normalize(), settings.demoAgents());
            b.identity(demo.keyServerIdentity()); // before the warnings: if it fails, that is the one line to read
            if (!demo.warnings().isEmpty()) {
                PrintWriter err = spec.commandLine().getErr();
                demo.warnings().forEach(err::println);
                err.flush();
            }
        }
        if (port != null) {
            b.port(port);
        }
        if (bind != null) {
            b.bindAddress(bind);
        }
        if (plainTcpPort != null) {
            b.plainTcpPort(plainTcpPort);
        }
        ClusterNode node = null;
        if (cluster.enabled()) {
            String address = bind != null ? bind : settings.bind().orElse("127.0.0.1");
            TlsIdentity nodeIdentity;
            if (cluster.hasIdentity()) {
                nodeIdentity = configured(() -> cluster.identity(base));
            } else if (demo != null) {
                nodeIdentity = demo.clusterNodeIdentity(cluster.nodeName());
            } else {
                throw new UserError((config != null ? config + ": " : "") + "a key server with its own keystore needs"
                        + " cluster.keystore and cluster.truststore (a node certificate from the cluster's own CA) to"
                        + " join a cluster");
            }
            TlsIdentity links = nodeIdentity;
            ClusterConfig clusterConfig = configured(() -> cluster.config(links, address, base));
            out.println("Joining cluster '" + clusterConfig.clusterName() + "' as " + clusterConfig.nodeName()
                    + " on " + address + ":" + clusterConfig.bindPort() + " (members " + clusterConfig.members() + ")");
            out.flush();
            StartFailures.checkClusterPort(clusterConfig.bindAddress(), clusterConfig.bindPort());
            try {
                node = ClusterNode.join(clusterConfig);
            } catch (RuntimeException e) {
                throw StartFailures.joining(e, clusterConfig.bindAddress(), clusterConfig.bindPort()).orElseThrow(() -> e);
            }
            b.cluster(node, configured(() -> cluster.links(links, address)));
        }
        // bound before the key server starts: a busy port stops the start at once
        MetricsEndpoint endpoint = null;
        try {
            endpoint = metricsBind == null ? null : MetricsEndpoint.bind(metricsBind);
        } catch (MetricsEndpoint.Unusable e) {
            if (node != null) {
                node.close();
            }
            throw e;
        }
        KeyServer server;
        try {
            KeyServerConfig serverConfig = configured(b::build);
            try {
                server = KeyServer.start(serverConfig);
            } catch (IOException e) {
                throw StartFailures.listening(e, serverConfig.port(),
                        serverConfig.nodeLinks().map(NodeLinks::port).orElse(null)).orElseThrow(() -> e);
            }
        } catch (Exception | Error e) {
            if (node != null) {
                node.close();
            }
            if (endpoint != null) {
                endpoint.close();
            }
            throw e;
        }
        if (endpoint != null) {
            endpoint.serve(server);
            metrics = endpoint;
        }
        if (node != null) {
            out.println("Cluster '" + node.config().clusterName() + "': node " + node.nodeId() + " joined, "
                    + node.members().size() + " member(s) now; other nodes reach it on tls:"
                    + server.nodeLinksAddress().map(a -> hostPort(a.getAddress().getHostAddress(), a.getPort()))
                            .orElse("?"));
        }
        out.println("SIP-TLS key server '" + server.config().name() + "' listening on tls:"
                + hostPort(server.address().getAddress().getHostAddress(), server.address().getPort())
                + server.plainTcpAddress().map(a -> " and plain tcp:" + a.getAddress().getHostAddress() + ":"
                        + a.getPort()).orElse(""));
        if (metrics != null) {
            String at = "http://" + MetricsEndpoint.hostPort(metrics.address());
            out.println("Metrics on " + at + "/metrics, health on " + at + "/health/live and " + at + "/health/ready");
        }
        if (demo != null) {
            printDemo(out, demo, server);
        }
        out.flush();
        return server;
    }

    /** The {@code metrics} key's address; what is wrong with it named by the key. */
    private static InetSocketAddress metricsKey(String value) {
        try {
            return MetricsEndpoint.resolve(MetricsEndpoint.parse(value));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("metrics: " + e.getMessage(), e);
        }
    }

    /** A step that reads the configuration. */
    private interface Configured<T> {
        T get() throws Exception;
    }

    /**
     * {@code step}'s result; a value it refuses is a {@link UserError} naming the key (and the --config file), in
     * the file's words rather than the key server's builder's.
     */
    private <T> T configured(Configured<T> step) throws Exception {
        String where = config != null ? config + ": " : "";
        try {
            return step.get();
        } catch (IllegalArgumentException e) {
            throw new UserError(where + ServerSettings.inKeys(e.getMessage()), e);
        } catch (UserError e) {
            throw config == null || e instanceof DemoCredentials.RefusedException ? e
                    : new UserError(where + e.getMessage(), e);
        }
    }

    private static void printDemo(PrintWriter out, DemoCredentials demo, KeyServer server) {
        char[] password = demo.password();
        try {
            out.println();
            out.println("Demo credentials " + (demo.created() ? "created" : "loaded") + " in " + demo.directory()
                    + " (all PKCS#12):");
            if (!demo.created() && !demo.issued().isEmpty()) {
                out.println("  (issued now: " + demo.issued().stream().map(p -> p.getFileName().toString()).toList()
                        + ")");
            }
            out.println("  trust store   " + demo.trustStore() + "   (the demo CA; trust it on every side)");
            List<String> keyServerHosts = demo.hosts(demo.keyServer(), "key server key store");
            out.println("  key server    " + demo.keyServer() + "   (" + String.join(", ", keyServerHosts) + ")");
            for (Map.Entry<String, Path> agent : demo.agents().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey()).toList()) {
                out.println("  agent         " + agent.getValue() + "   (proves " + agent.getKey() + ")");
            }
            out.println("  TLS server    " + demo.tlsServer() + "   (" + tlsServerHosts(demo) + ")");
            out.println("  password      " + new String(password) + "   (also in " + demo.passwordFile()
                    + "; opens all of the above)");
            out.println("  demo CA key   " + demo.ca() + "   (keep private; opens only with the password in "
                    + demo.caPasswordFile() + ", never printed)");
            if (keyServerHosts.stream().anyMatch("localhost"::equalsIgnoreCase)) {
                // an earlier release's, kept as it is: its TLS server's certificate names 127.0.0.1 as well
                out.println("  (an earlier release's: the demo TLS server's certificate would also pass as the key"
                        + " server, and `enroll --serve localhost:…` is refused; move " + demo.directory()
                        + " away and restart to create new demo credentials)");
            }
            printEnrolment(out, demo, server);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** The demo TLS server's names; the key server does not need its key store, so a damaged one is only said. */
    private static String tlsServerHosts(DemoCredentials demo) {
        try {
            return String.join(", ", demo.hosts(demo.tlsServer(), "TLS server key store"));
        } catch (UserError e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /**
     * The commands of README's "Three processes in five commands" after this one, with this key server's address
     * and data directory filled in: enrol a TLS server and a client, and start each in a JVM of its own.
     */
    private static void printEnrolment(PrintWriter out, DemoCredentials demo, KeyServer server) {
        var address = server.address().getAddress();
        String host = address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
        String flags = " --key-server " + hostPort(host, server.address().getPort());
        if (!demo.directory().equals(Path.of(DEFAULT_DATA_DIR).toAbsolutePath().normalize())) {
            flags += " --data-dir " + LaunchCommands.display(demo.directory());
        }
        String sipTls = LaunchCommands.sipTls();
        out.println();
        out.println("Enrol and start a TLS server and a client, each a JVM of its own with the provider installed by");
        out.println("-Djava.security.properties (README, \"Three processes in five commands\"):");
        out.println("  " + sipTls + " enroll sip:web@example.com --serve localhost:8443 --out web" + flags);
        out.println("  " + sipTls + " enroll sip:app@example.com --out app" + flags);
        out.println("  " + LaunchCommands.application(Path.of("web", Enrolment.JAVA_SECURITY),
                "https-server localhost:8443 --key-store " + Path.of("web", Enrolment.TLS_SERVER)) + " &");
        out.println("  " + LaunchCommands.application(Path.of("app", Enrolment.JAVA_SECURITY),
                "https-get https://localhost:8443/ --trust-store " + Path.of("app", Enrolment.TRUST_STORE)
                        + " --count 3"));
        out.println("The client's second and later requests resume via SIP.");
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Held strongly: java.util.logging keeps loggers only weakly, so a level set on a logger nobody references
     * is lost at the next garbage collection, before the key server's loggers (children of this one) exist.
     */
    private static final Logger SIPTLS_LOGGER = Logger.getLogger("dev.siptls");

    /**
     * One line per record on stderr, levels named as {@code System.Logger} names them ({@link LogLines}); DEBUG
     * for SIP-TLS with {@code --verbose} ({@code System.Logger} DEBUG is java.util.logging FINE). JAIN-SIP logs
     * through log4j and stays at WARN either way: its traces hold bodies.
     */
    static void configureLogging(boolean verbose) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", LogLines.FORMAT);
        }
        Logger root = Logger.getLogger("");
        Level level = verbose ? Level.FINE : Level.INFO;
        SIPTLS_LOGGER.setLevel(level);
        for (var handler : root.getHandlers()) {
            handler.setLevel(level);
            handler.setFormatter(new LogLines(verbose));
        }
    }

    static final String CONFIG_HELP = """
            Keys of the --config properties file (all optional; flags win over the file):
              keystore                    PKCS#12 with the key server's key and chain (else demo credentials)
              keystore.password           its password (or env SIPTLS_KEYSTORE_PASSWORD)
              truststore                  PKCS#12 of the CAs agents' client certificates chain to
              truststore.password         default: keystore.password
              policy.truststore           PKCS#12 of the CAs for TLS server certificates in policies (default: truststore)
              policy.truststore.password  default: truststore.password
              bind                        listen address (default 127.0.0.1)
              port                        TLS port (default 5061)
              plain-tcp.port              plain-TCP listener for sipp (default 0 = none)
              name                        name in logs, JMX and metrics (default keyserver)
              metrics                     host:port serving Prometheus /metrics, /health/live, /health/ready
                                          (plain HTTP; default: none; --metrics wins)
              sa.max-lifetime             longest SA lifetime, seconds (default 3600)
              expires.min                 shortest registration, seconds (default 60)
              expires.max                 longest registration, seconds (default 3600)
              expires.default             registration when none asked, seconds (default 600)
              relay.timeout               wait for the server agent, milliseconds (default 1500)
              max-message-size            bytes (default 131072)
              replay-cache.size           INVITEs remembered against replays (default 65536)
              keep-alive                  silence allowed after CRLF keep-alive pings, seconds (default 30)
              event-loops                 threads owning the TLS connections, 1..64 (default: cores, at most 4)
              handshake-threads           threads for TLS handshake work, 1..64 (default: cores, at most 4)
              authorization               same-domain (default) or anyone
              serving                     hosts an agent may bind: certified (default) or same-domain
              suites.allow-legacy         true to issue CBC, 3DES, plain-RSA suites (default false)
              demo.agents                 comma-separated AORs for demo identities
                                          (default sip:alice@example.com,sip:bob@example.com)
            A cluster (docs/CLUSTER.md; on when cluster.members or --cluster is given):
              cluster.members             the nodes' cluster ports, host:port,... (this node's own may be listed)
              cluster.port                this node's cluster port (default 7800)
              cluster.bind                its address (default: bind)
              cluster.name                the cluster's name (default sip-tls)
              cluster.node                this node's name, unique (default keyserver-<cluster.port>)
              cluster.links.port          where other nodes send this node SIP requests (default 0 = a free port)
              cluster.keystore            PKCS#12 with this node's key and certificate, from the cluster's own CA
                                          (else demo credentials in --data-dir)
              cluster.keystore.password   its password (or env SIPTLS_CLUSTER_KEYSTORE_PASSWORD)
              cluster.truststore          PKCS#12 holding the cluster's CA only (never the agents' CA)
              cluster.truststore.password default: cluster.keystore.password
              cluster.failure-detection   how long a silent node is waited for before it is suspected, ms
                                          (default 3000)
              cluster.jgroups             a JGroups XML stack of your own (e.g. DNS_PING discovery)
                                          (instead of the built-in TCP + TCPPING + TLS one)""";
}
