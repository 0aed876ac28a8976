package dev.siptls.cli;

import dev.siptls.sip.ListenException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.util.Optional;

/**
 * What a key server's or a cluster node's start that failed on its address or port means for whoever runs
 * {@code sip-tls server}: which address and port, why, and which flag or key to change.
 */
final class StartFailures {

    private StartFailures() {
    }

    /**
     * The key server's listeners: {@code tlsPort} and {@code linksPort} as configured (0: a free one), to tell the
     * key server's own listener from the one for the other nodes.
     */
    static Optional<UserError> listening(Throwable failure, int tlsPort, Integer linksPort) {
        return find(failure, ListenException.class).map(e -> {
            boolean links = e.transport().equals("tls") && linksPort != null && e.port() != tlsPort;
            String portFlag = e.transport().equals("tcp") ? "--plain-tcp-port (plain-tcp.port)"
                    : links ? "--links-port (cluster.links.port)" : "--port (port)";
            String bindFlag = links ? "--bind (cluster.bind)" : "--bind (bind)";
            return new UserError(e.getMessage() + ": " + advice(e.host(), e.reason(), portFlag, bindFlag), failure);
        });
    }

    /** The cluster's own port (JGroups) at {@code host:port}. */
    static Optional<UserError> joining(Throwable failure, String host, int port) {
        return find(failure, BindException.class).map(e -> new UserError("cannot listen on the cluster port "
                + host + ":" + port + ": " + e.getMessage() + ": " + advice(host, String.valueOf(e.getMessage()),
                        "--cluster-port (cluster.port)", "--bind (cluster.bind)"), failure));
    }

    /**
     * Refuses a cluster port that cannot be had before the cluster's libraries try it: they would log their own
     * failure in several lines before {@link #joining} could say it in one.
     */
    static void checkClusterPort(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            String reason = e instanceof java.net.UnknownHostException ? "unknown host" : String.valueOf(e.getMessage());
            throw new UserError("cannot listen on the cluster port " + host + ":" + port + ": " + reason + ": "
                    + advice(host, reason, "--cluster-port (cluster.port)", "--bind (cluster.bind)"), e);
        }
    }

    private static String advice(String host, String reason, String portFlag, String bindFlag) {
        if (!ofThisMachine(host)) {
            return host + " is not an address of this machine: pick one of its addresses with " + bindFlag;
        }
        if (reason.contains("in use") || reason.contains("No available port")) {
            return "stop the process that listens there or pick another " + portFlag;
        }
        return "pick another " + portFlag + " or address with " + bindFlag;
    }

    private static boolean ofThisMachine(String host) {
        try {
            InetAddress address = InetAddress.getByName(host);
            return address.isAnyLocalAddress() || address.isLoopbackAddress()
                    || NetworkInterface.getByInetAddress(address) != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static <T extends Throwable> Optional<T> find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }
}
