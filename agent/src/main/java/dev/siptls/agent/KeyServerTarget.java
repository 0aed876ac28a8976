package dev.siptls.agent;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One key server an agent may register with: where it listens (unresolved when its host name did not resolve)
 * and the name its certificate must prove.
 */
record KeyServerTarget(InetSocketAddress address, String name) {

    KeyServerTarget {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(name, "name");
    }

    /** {@code ip:port}, or {@code host:port} while unresolved. */
    String describe() {
        String host = address.isUnresolved() ? address.getHostString() : address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    @Override
    public String toString() {
        return describe() + " (" + name + ")";
    }
}
