package dev.siptls.bench;

import dev.siptls.bench.ClientTerminal.Outcome;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.SipTlsProviderMXBean;
import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerStatistics;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.LatencyHistogram;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * One load run, start to close: a key server, the server and client terminals (each its own provider and
 * identity, registered before any connection), every client's connections round robin over the servers with
 * a bounded number in flight, then everything closed. Counts rather than asserts: {@link LoadReport} judges.
 */
final class LoadRun {

    private static final Duration REGISTRATION_BASE = Duration.ofSeconds(60);
    private static final Duration REGISTRATION_PER_TERMINAL = Duration.ofMillis(500);

    private final Load load;
    private final ErrorCounts clientErrors = new ErrorCounts();
    private final ErrorCounts serverErrors = new ErrorCounts();
    private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
    private final LatencyHistogram connectionTimes = new LatencyHistogram();

    private final List<EchoTerminal> servers = new ArrayList<>();
    private final List<ClientTerminal> clients = new ArrayList<>();
    private final Figures figures = new Figures();

    private LoadRun(Load load) {
        this.load = load;
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, new LongAdder());
        }
    }

    static LoadFigures execute(Load load) throws Exception {
        return new LoadRun(load).execute();
    }

    private LoadFigures execute() throws Exception {
        long setupStart = System.nanoTime();
        try (ProviderFiles files = ProviderFiles.create(CertificateAuthority.create("SIP-TLS load CA"));
                KeyServer keyServer = files.startKeyServer()) {
            try {
                startTerminals(files, keyServer);
                figures.peak = JvmFootprint.measure();
                figures.setupNanos = System.nanoTime() - setupStart;
                long start = System.nanoTime();
                connectAll();
                figures.wallNanos = System.nanoTime() - start;
                figures.read(keyServer.statistics());
            } finally {
                long closeStart = System.nanoTime();
                clients.forEach(ClientTerminal::close);
                servers.forEach(EchoTerminal::close);
                figures.echoes = servers.stream().mapToLong(EchoTerminal::served).sum();
                keyServer.close();
                figures.closeNanos = System.nanoTime() - closeStart;
            }
        }
        return figures.toRecord();
    }

    /** Every terminal started, then registered (with its policy published) before any connection. */
    private void startTerminals(ProviderFiles files, KeyServer keyServer) throws Exception {
        for (int s = 0; s < load.servers(); s++) {
            servers.add(EchoTerminal.start(files, "load-server" + s, keyServer, serverErrors));
        }
        for (int c = 0; c < load.clients(); c++) {
            clients.add(ClientTerminal.start(files, "load-client" + c, keyServer));
        }
        awaitRegistered(Stream.concat(servers.stream().map(EchoTerminal::provider),
                clients.stream().map(ClientTerminal::provider)).toList());
    }

    private void awaitRegistered(List<SipTlsProvider> providers) throws InterruptedException {
        long deadline = System.nanoTime() + REGISTRATION_BASE.toNanos()
                + REGISTRATION_PER_TERMINAL.toNanos() * providers.size();
        for (SipTlsProvider p : providers) {
            p.assertHealthy(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    /** Round by round, each client to its next server: consecutive connections of a client are far apart. */
    private void connectAll() throws Exception {
        AtomicInteger workerNumber = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(load.inFlight(),
                task -> new Thread(task, "load-worker-" + workerNumber.incrementAndGet()));
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int round = 0; round < load.connectionsPerClient(); round++) {
                for (int c = 0; c < load.clients(); c++) {
                    ClientTerminal client = clients.get(c);
                    int port = servers.get(load.server(c, round)).port();
                    done.add(workers.submit(() -> connect(client, port)));
                }
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            workers.shutdown();
            workers.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    private void connect(ClientTerminal client, int port) {
        long start = System.nanoTime();
        try {
            Outcome outcome = client.connect(port);
            connectionTimes.record(System.nanoTime() - start);
            outcomes.get(outcome).increment();
        } catch (Exception e) {
            clientErrors.record(e);
        }
    }

    /** The figures as they are gathered (the close time last), made a record at the end. */
    private final class Figures {
        long setupNanos;
        long wallNanos;
        long closeNanos;
        JvmFootprint peak;
        Map<String, Long> clientFallbacks = Map.of();
        Map<String, Long> serverFallbacks = Map.of();
        long echoes;
        long issued;
        Map<String, Long> refusals = Map.of();
        long answers;
        long p50;
        long p99;
        long max;
        long clientP99;

        void read(KeyServerStatistics keyServer) {
            clientFallbacks = fallbacks(clients.stream().map(ClientTerminal::provider).toList());
            serverFallbacks = fallbacks(servers.stream().map(EchoTerminal::provider).toList());
            issued = keyServer.getSecurityAssociationsIssued();
            refusals = keyServer.getRefusals();
            answers = keyServer.getInviteAnswers();
            p50 = keyServer.getInviteAnswerLatencyP50Micros();
            p99 = keyServer.getInviteAnswerLatencyP99Micros();
            max = keyServer.getInviteAnswerLatencyMaxMicros();
            clientP99 = clients.stream().mapToLong(c -> c.provider().statistics()
                    .getAssociationRequestLatencyP99Micros()).max().orElse(0);
        }

        LoadFigures toRecord() {
            Map<Outcome, Long> counted = new EnumMap<>(Outcome.class);
            outcomes.forEach((o, n) -> counted.put(o, n.sum()));
            return new LoadFigures(load, counted, clientErrors.byKind(), serverErrors.byKind(), clientFallbacks,
                    serverFallbacks, echoes, issued, refusals, answers, p50, p99, max, clientP99,
                    connectionTimes.percentileMicros(0.5), connectionTimes.percentileMicros(0.99), setupNanos,
                    wallNanos, closeNanos, peak);
        }
    }

    private static Map<String, Long> fallbacks(List<SipTlsProvider> providers) {
        Map<String, Long> sum = new TreeMap<>();
        for (SipTlsProvider p : providers) {
            SipTlsProviderMXBean stats = p.statistics();
            stats.getFallbacksByReason().forEach((reason, n) -> sum.merge(reason, n, Long::sum));
        }
        return sum;
    }
}
