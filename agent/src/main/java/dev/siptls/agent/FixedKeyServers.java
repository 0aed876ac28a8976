package dev.siptls.agent;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Key servers given as a list of addresses. A round starts with the entry after the one used last and wraps
 * around (round robin), so an agent that lost one key server tries "the next in the list" first. Host names are
 * resolved at each round; one that does not resolve stays in the round unresolved and fails when tried.
 */
final class FixedKeyServers implements KeyServerList {

    private final List<InetSocketAddress> addresses;
    private final String name;

    /** {@code name}: what every key server's certificate must prove; null: each entry's own host string. */
    FixedKeyServers(List<InetSocketAddress> addresses, String name) {
        if (Objects.requireNonNull(addresses, "keyServers").isEmpty()) {
            throw new IllegalArgumentException("keyServers is empty: give at least one key server");
        }
        addresses.forEach(a -> Objects.requireNonNull(a, "a key server address"));
        this.addresses = List.copyOf(addresses);
        this.name = name;
    }

    @Override
    public List<KeyServerTarget> round(KeyServerTarget lastTried) {
        List<KeyServerTarget> resolved = new ArrayList<>(addresses.size());
        for (InetSocketAddress a : addresses) {
            KeyServerTarget t = new KeyServerTarget(resolve(a), name != null ? name : a.getHostString());
            if (!resolved.contains(t)) {
                resolved.add(t);
            }
        }
        int last = lastTried == null ? -1 : resolved.indexOf(lastTried);
        List<KeyServerTarget> round = new ArrayList<>(resolved.size());
        for (int i = 1; i <= resolved.size(); i++) {
            round.add(resolved.get((last + i) % resolved.size()));
        }
        return round;
    }

    private static InetSocketAddress resolve(InetSocketAddress a) {
        if (!a.isUnresolved()) {
            return a;
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(a.getHostString()), a.getPort());
        } catch (UnknownHostException | SecurityException e) {
            return a;
        }
    }

    @Override
    public String describe() {
        return addresses.stream().map(a -> a.getHostString() + ":" + a.getPort()).collect(Collectors.joining(","));
    }
}
