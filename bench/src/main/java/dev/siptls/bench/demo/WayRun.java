package dev.siptls.bench.demo;

import dev.siptls.bench.demo.LoopbackDesk.Listener;
import dev.siptls.bench.demo.Topology.Link;
import dev.siptls.protocol.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * Runs one way on one topology: sets up the terminals' TLS servers and clients (for SIP-TLS, one SIP-TLS
 * provider per terminal, registered with the demo's key server), connects every link {@code rounds}
 * times, one connection at a time, checks that the handshakes were the way's ({@link HandshakeCheck}), and
 * closes everything it started.
 */
final class WayRun {

    private static final Duration REGISTRATION_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final DemoEnvironment env;

    WayRun(DemoEnvironment env) {
        this.env = env;
    }

    /** @param onConnection called after each connection, for progress */
    WayResult run(Way way, Topology topology, int rounds, Runnable onConnection)
            throws IOException, GeneralSecurityException, InterruptedException {
        Tally before = env.ledger().snapshot();
        SipCounters keyServerBefore = SipCounters.of(env.keyServer().statistics());
        Map<String, Listener> listeners = new HashMap<>();
        Map<Integer, SipTlsTerminal> sipTls = new HashMap<>();
        try {
            for (int t = 1; t <= topology.terminals(); t++) {
                for (int a : topology.served(t)) {
                    listeners.put(key(t, a), new Listener(DemoPki.host(t)));
                }
            }
            long setupStart = System.nanoTime();
            if (way.sipTls()) {
                configureTerminals(topology, way, listeners, sipTls);
            }
            // Server contexts first: a SIP-TLS provider's first init starts its agent, which registers with the
            // policy that binds the served host:ports and carries the chain of the key managers given to init.
            for (int t = 1; t <= topology.terminals(); t++) {
                for (int a : topology.served(t)) {
                    listeners.get(key(t, a)).context(context(way, sipTls.get(t), t));
                }
            }
            Map<String, SSLContext> clients = new HashMap<>();
            for (int t = 1; t <= topology.terminals(); t++) {
                for (int a : topology.clients(t)) {
                    clients.put(key(t, a), context(way, sipTls.get(t), t));
                }
            }
            if (way.sipTls()) {
                awaitRegistered(sipTls);
            }
            long setupNanos = way.sipTls() ? System.nanoTime() - setupStart : 0;
            List<Sample> samples = new ArrayList<>();
            Tally firstRound = null;
            for (int round = 1; round <= rounds; round++) {
                for (Link link : topology.links()) {
                    samples.add(env.desk().connect(clients.get(key(link.client(), link.application())),
                            listeners.get(key(link.server(), link.application())), link, round,
                            way == Way.TRADITIONAL, way.connectionProtocols()));
                    onConnection.run();
                }
                if (round == 1) {
                    firstRound = env.ledger().snapshot().minus(before);
                }
            }
            Tally all = env.ledger().snapshot().minus(before);
            SipCounters sip = SipCounters.NONE;
            if (way.sipTls()) {
                long sides = 2L * samples.size();
                sip = SipCounters.of(env.keyServer().statistics()).since(keyServerBefore,
                        settledCounts(sipTls.values(), sides, way == Way.SIP_TLS_13 ? sides : 0));
            }
            HandshakeCheck.verify(way, samples, sip);
            return new WayResult(way, topology, rounds, firstRound, all, sip, samples, setupNanos);
        } finally {
            for (SipTlsTerminal terminal : sipTls.values()) {
                terminal.close();
            }
            for (Listener listener : listeners.values()) {
                listener.close();
            }
        }
    }

    /** One SIP-TLS provider per terminal, configured to serve its listeners' host:ports. */
    private void configureTerminals(Topology topology, Way way, Map<String, Listener> listeners,
            Map<Integer, SipTlsTerminal> started) throws IOException, GeneralSecurityException, InterruptedException {
        Path dir = Files.createDirectories(env.workDirectory().resolve("run-" + RUNS.incrementAndGet()));
        for (int t = 1; t <= topology.terminals(); t++) {
            List<HostPort> serves = new ArrayList<>();
            for (int a : topology.served(t)) {
                serves.add(new HostPort(DemoPki.host(t), listeners.get(key(t, a)).port()));
            }
            started.put(t, env.sipTls().configure(new TerminalSpec(t, DemoPki.aor(t), env.keyStoreFile(t),
                    env.trustStoreFile(), env.keyServer().address(), "127.0.0.1", serves,
                    way.terminalProtocols(), dir.resolve("terminal" + t))));
        }
    }

    /**
     * The providers' counts once they account for {@code handshakes} (client and server side of every
     * connection), {@code tls13} of them TLS 1.3 PSK handshakes, waiting up to a second: providers count socket
     * handshakes from BCJSSE's completion notifications, which arrive on threads of their own a moment after
     * the handshake.
     */
    private static SipTlsTerminal.AgentCounts settledCounts(Iterable<SipTlsTerminal> terminals, long handshakes,
            long tls13) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            SipTlsTerminal.AgentCounts counts = SipTlsTerminal.AgentCounts.NONE;
            for (SipTlsTerminal terminal : terminals) {
                counts = counts.plus(terminal.counts());
            }
            if (counts.sipResumptions() + counts.fullHandshakes() >= handshakes && counts.tls13Handshakes() >= tls13
                    || System.nanoTime() > deadline) {
                return counts;
            }
            Thread.sleep(10);
        }
    }

    private static void awaitRegistered(Map<Integer, SipTlsTerminal> terminals)
            throws IOException, InterruptedException {
        for (Map.Entry<Integer, SipTlsTerminal> terminal : terminals.entrySet()) {
            if (!terminal.getValue().awaitRegistered(REGISTRATION_TIMEOUT)) {
                throw new IOException("terminal " + terminal.getKey() + " did not register with the key server: "
                        + terminal.getValue().status());
            }
        }
    }

    private SSLContext context(Way way, SipTlsTerminal sipTls, int terminal) throws GeneralSecurityException {
        if (way.sipTls()) {
            return sipTls.context(env.contexts().keyManagers(env.pki().terminal(terminal)),
                    env.contexts().trustManagers());
        }
        return env.contexts().plain(env.pki().terminal(terminal));
    }

    private static String key(int terminal, int application) {
        return terminal + "/" + application;
    }
}
