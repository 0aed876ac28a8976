package dev.siptls.provider;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;

import java.util.List;
import java.util.Optional;

/**
 * Where a server handshake runs, as its session lookup knows it: the port the connection was accepted on and
 * the host name the ClientHello asked for (SNI). An SA issued for a binding {@code host:port} is resumed only on
 * a connection accepted on that port, and, if the client sent SNI, only for that host.
 *
 * <p>An engine knows no port. It resumes an SA only if this provider serves the SA's binding and every binding
 * the connection can be for (any without SNI, those of the SNI host with it) has the SA's port: where the port
 * cannot be told, the handshake is a full one. (Without SNI no server knows the host the client asked for.)
 *
 * @param localPort     the accepting port, or -1 if unknown (engines do not know theirs)
 * @param requestedHost the SNI host name, or {@code null} if the client sent none or it is unknown
 * @param served        the bindings this provider serves, empty if unknown (then an engine checks only the SNI)
 * @param peerHost      the client's address as the connection knows it, or {@code null} if unknown
 * @param peerPort      the client's port, or -1 if unknown
 */
record ServerEndpoint(int localPort, String requestedHost, List<HostPort> served, String peerHost, int peerPort) {

    /** Nothing known: no binding is checked. */
    static final ServerEndpoint UNKNOWN = new ServerEndpoint(-1, null, List.of());

    ServerEndpoint(int localPort, String requestedHost) {
        this(localPort, requestedHost, List.of());
    }

    ServerEndpoint(int localPort, String requestedHost, List<HostPort> served) {
        this(localPort, requestedHost, served, null, -1);
    }

    private static final int MAX_SHOWN = 64;

    /** Why {@code sa} must not be resumed here, or {@code null} if it may be. */
    String refusal(SecurityAssociation sa) {
        Optional<HostPort> issuedFor = sa.server().address();
        if (issuedFor.isEmpty()) {
            return null;
        }
        HostPort binding = issuedFor.get();
        if (localPort > 0 && localPort != binding.port()) {
            return "it was issued for " + binding + " but the connection was accepted on port " + localPort;
        }
        if (requestedHost != null && !requestedHost.equalsIgnoreCase(binding.host())) {
            return "it was issued for " + binding + " but the client asked for host " + shown(requestedHost)
                    + " (SNI)";
        }
        if (localPort <= 0 && !served.isEmpty()) {
            List<HostPort> possible = served.stream()
                    .filter(hp -> requestedHost == null || hp.host().equalsIgnoreCase(requestedHost)).toList();
            if (!served.contains(binding) || possible.stream().anyMatch(hp -> hp.port() != binding.port())) {
                return "it was issued for " + binding + " but this connection, whose port is unknown"
                        + (requestedHost == null ? " and whose client sent no SNI" : "") + ", may be for any of "
                        + possible;
            }
        }
        return null;
    }

    /** The client's name as a log line may show it: printable ASCII only, bounded. */
    private static String shown(String name) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < name.length() && i < MAX_SHOWN; i++) {
            char c = name.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return out.append(name.length() > MAX_SHOWN ? "…\"" : "\"").toString();
    }
}
