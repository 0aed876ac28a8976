package dev.siptls.cluster;

import dev.siptls.protocol.HostPort;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.jgroups.JChannel;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TP;
import java.net.SocketException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.jgroups.protocols.BaseBundler;
import org.jgroups.util.DefaultSocketFactory;
import org.jgroups.util.SocketFactory;

/**
 * The JGroups channel a node talks to the others over: TCP with {@code tcp_nodelay} (without it Nagle and
 * delayed ACKs made 300 synchronous puts take 8 s), TCPPING over the static members, MERGE3, failure detection by
 * closed sockets (FD_SOCK2, a killed node) and by silence (FD_ALL3, a hung one) confirmed by VERIFY_SUSPECT2,
 * reliable delivery (NAKACK2, UNICAST3), STABLE, GMS, flow control and FRAG4. Or a deployer's own file.
 *
 * <p>Either way every TCP link is TLS 1.3 with this node's identity, trusting the cluster CA only and
 * requiring the client's certificate; the TLS context is built in memory, so no password reaches JGroups (or
 * its logs). FD_SOCK2's own sockets stay plain TCP: they carry only "are you there" and the cluster name, never
 * state, and a suspicion they raise is verified over the TLS links before a member is excluded.
 */
final class ClusterStack {

    private ClusterStack() {
    }

    /** A channel, not yet connected, configured from {@code config}. */
    static JChannel channel(ClusterConfig config) throws Exception {
        JChannel channel;
        if (config.jgroupsFile().isPresent()) {
            try (InputStream in = Files.newInputStream(config.jgroupsFile().get())) {
                channel = new JChannel(in);
            }
        } else {
            channel = new JChannel(new ByteArrayInputStream(xml(config).getBytes(StandardCharsets.UTF_8)));
        }
        try {
            secure(channel, config);
            channel.setName(config.nodeName());
            return channel;
        } catch (Exception | Error e) {
            channel.close();
            throw e;
        }
    }

    /** The generated stack, as a deployer's own file would spell it (less the TLS, which is set in memory). */
    static String xml(ClusterConfig config) {
        Duration fd = config.failureDetectionTimeout();
        long timeout = fd.toMillis();
        long heartbeat = Math.max(100, timeout / 4);
        long verify = Math.min(1500, Math.max(250, timeout / 4));
        long mergeMin = Math.max(1000, timeout);
        String hosts = config.members().stream().map(ClusterStack::tcppingHost).collect(Collectors.joining(","));
        return "<config xmlns=\"urn:org:jgroups\">\n"
                + "  <TCP bind_addr=\"" + attr(config.bindAddress()) + "\" bind_port=\"" + config.bindPort() + "\""
                + " port_range=\"0\" tcp_nodelay=\"true\" non_blocking_sends=\"true\" sock_conn_timeout=\"" + Math.max(1000, timeout) + "\""
                + " diag.enabled=\"false\" use_vthreads=\"false\" thread_naming_pattern=\"cl\""
                + " thread_pool.min_threads=\"0\" thread_pool.max_threads=\"200\" thread_pool.keep_alive_time=\"60000\"/>\n"
                + "  <TCPPING initial_hosts=\"" + attr(hosts) + "\" port_range=\"0\" send_cache_on_join=\"true\"/>\n"
                + "  <MERGE3 min_interval=\"" + mergeMin + "\" max_interval=\"" + 2 * mergeMin + "\"/>\n"
                + "  <FD_SOCK2 bind_addr=\"" + attr(config.bindAddress()) + "\"/>\n"
                + "  <FD_ALL3 timeout=\"" + timeout + "\" interval=\"" + heartbeat + "\"/>\n"
                + "  <VERIFY_SUSPECT2 timeout=\"" + verify + "\"/>\n"
                + "  <pbcast.NAKACK2 use_mcast_xmit=\"false\" xmit_interval=\"200\"/>\n"
                + "  <UNICAST3 xmit_interval=\"200\"/>\n"
                + "  <pbcast.STABLE desired_avg_gossip=\"5000\" max_bytes=\"1M\"/>\n"
                + "  <pbcast.GMS print_local_addr=\"false\" join_timeout=\"2000\" leave_timeout=\"1000\""
                + " view_ack_collection_timeout=\"" + Math.max(1000, timeout / 2) + "\"/>\n"
                + "  <UFC max_credits=\"4M\" min_threshold=\"0.40\"/>\n"
                + "  <MFC max_credits=\"4M\" min_threshold=\"0.40\"/>\n"
                + "  <FRAG4 frag_size=\"60K\"/>\n"
                + "</config>\n";
    }

    /** Mutual TLS on the transport, whatever the stack's file says; and no diagnostics port. */
    private static void secure(JChannel channel, ClusterConfig config) throws Exception {
        TP transport = channel.getProtocolStack().getTransport();
        if (!(transport instanceof TCP)) {
            throw new IllegalArgumentException("cluster configuration: the JGroups stack's transport is "
                    + transport.getName() + "; it must be TCP, whose links are mutual TLS between nodes");
        }
        TCP tcp = (TCP) transport;
        if (config.jgroupsFile().isPresent() && config.bindPort() != 0) {
            tcp.setBindAddress(InetAddress.getByName(config.bindAddress()));
            tcp.setBindPort(config.bindPort());
        }
        tcp.tcpNodelay(true);
        tcp.getDiagnosticsHandler().setEnabled(false);
        // A hung member must not hold the others' traffic: writes to it queue on its connection, each destination
        // has a sender thread of its own, and a handshake with it gives up (below) instead of blocking for ever.
        tcp.nonBlockingSends(true);
        if (tcp.getBundler() instanceof BaseBundler bundler) {
            bundler.useSingleSenderThread(false);
        }
        tcp.tls().enabled(false); // TLS comes from the socket factory: JGroups' own would not bound the handshake
        tcp.setSocketFactory(socketFactory(context(config), handshakeTimeout(config)));
    }

    /** How long a TLS handshake with another node may take: a stopped node never finishes one. */
    static int handshakeTimeout(ClusterConfig config) {
        return (int) Math.max(1000, config.failureDetectionTimeout().toMillis() / 3);
    }

    /**
     * Mutual TLS 1.3 on every socket. JGroups connects and handshakes on the thread that sends, and sets no read
     * timeout for the handshake: against a node that is stopped (SIGSTOP) but whose kernel still accepts connections,
     * that thread would wait until the node resumes. The multicasts, heartbeats among them, wait on it too, and the
     * healthy nodes then suspect each other. So a client socket reads with a timeout until its handshake completes.
     */
    private static SocketFactory socketFactory(SSLContext context, int handshakeMillis) {
        DefaultSocketFactory factory = new DefaultSocketFactory(context);
        factory.setServerSocketConfigurator(server -> {
            SSLServerSocket tls = (SSLServerSocket) server;
            tls.setEnabledProtocols(PROTOCOLS);
            tls.setNeedClientAuth(true);
        });
        factory.setSocketConfigurator(socket -> {
            SSLSocket tls = (SSLSocket) socket;
            tls.setEnabledProtocols(PROTOCOLS);
            try {
                tls.setSoTimeout(handshakeMillis);
            } catch (SocketException e) {
                throw new IllegalStateException("cannot bound the TLS handshake", e);
            }
            tls.addHandshakeCompletedListener(done -> {
                try {
                    done.getSocket().setSoTimeout(0);
                } catch (SocketException closed) {
                    // closed meanwhile: nothing to read any more
                }
            });
        });
        return factory;
    }

    private static final String[] PROTOCOLS = {"TLSv1.3"};

    /** PKIX against the cluster CA both ways: as server (client certificate required) and as client. */
    private static SSLContext context(ClusterConfig config) throws GeneralSecurityException {
        return config.identity().serverContext();
    }

    private static String tcppingHost(HostPort member) {
        return member.host() + "[" + member.port() + "]";
    }

    private static String attr(String value) {
        return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
    }
}
