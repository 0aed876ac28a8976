package dev.siptls.sip;

import java.io.IOException;

/**
 * A listener that could not take its address and port (in use, not this machine's address, a name that does not
 * resolve): which one, so that whoever configured it can be told what to change.
 */
public final class ListenException extends IOException {

    private final String transport;
    private final String host;
    private final int port;

    ListenException(String transport, String host, int port, Throwable cause) {
        super("cannot listen on " + transport + ":" + hostPort(host, port) + ": " + reason(cause), cause);
        this.transport = transport;
        this.host = host;
        this.port = port;
    }

    /** {@code tls} or {@code tcp}. */
    public String transport() { return transport; }
    /** The address as configured. */
    public String host() { return host; }
    /** The port asked for; 0 if a free one was being picked. */
    public int port() { return port; }

    /** The operating system's words for it, e.g. {@code Address already in use}. */
    public String reason() {
        return reason(getCause());
    }

    private static String reason(Throwable cause) {
        Throwable innermost = cause;
        while (innermost != null && innermost.getCause() != null) {
            innermost = innermost.getCause();
        }
        if (innermost == null) {
            return "failed";
        }
        return innermost instanceof java.net.UnknownHostException ? "unknown host"
                : innermost.getMessage() != null ? innermost.getMessage() : innermost.getClass().getSimpleName();
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
