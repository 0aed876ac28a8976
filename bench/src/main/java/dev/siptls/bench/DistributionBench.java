package dev.siptls.bench;

import static dev.siptls.bench.DistributionAgents.agent;
import static dev.siptls.bench.DistributionAgents.identity;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.bench.demo.QuietLogs;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.SecurityPolicy;
import dev.siptls.server.AuthorizationRule;
import dev.siptls.server.KeyServer;
import dev.siptls.server.KeyServerConfig;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.TlsIdentity;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The key server's distribution rate: N client agents ask one key server for SAs to one TLS server's agent,
 * as fast as they can with a bounded number in flight; reports SAs per second and the INVITE→200(SA) latency
 * each client observed (INVITE out, key server, INVITE to the server agent and its 200, 200 with the SA back).
 *
 * <p>Run: {@code java -cp ... dev.siptls.bench.DistributionBench [clients] [seconds] [inFlightPerClient]}.
 */
public final class DistributionBench {

    private static final List<String> SUITES = List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");

    private DistributionBench() {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        try (QuietLogs quiet = new QuietLogs()) {
            Result warm = run(clients, 2, inFlight);
            Result result = run(clients, seconds, inFlight);
            System.out.printf(Locale.ROOT, "warm-up: %d SAs%n", warm.count());
            result.print(clients, inFlight);
        }
    }

    /**
     * @param keyServerCpuNanos CPU time of the key server's threads over the run (those of its SIP stack and
     *     worker, told apart from the agents' by their thread group's name)
     * @param liveHeapBytes this JVM's heap after full collections at the end of the run, key server and agents
     *     still running: what they keep, not garbage
     */
    record Result(long count, long failures, double seconds, long[] latencyNanos, long keyServerCpuNanos,
            long liveHeapBytes) {
        double perSecond() {
            return count / seconds;
        }

        double percentileMillis(double p) {
            long[] sorted = latencyNanos.clone();
            Arrays.sort(sorted);
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1));
            return sorted[index] / 1e6;
        }

        void print(int clients, int inFlight) {
            System.out.printf(Locale.ROOT,
                    "%d client agents, %d in flight each, %.1f s: %d SAs distributed (%.0f/s), %d failed; "
                            + "INVITE->200(SA) p50 %.2f ms, p99 %.2f ms; key server %.3f ms CPU per SA; "
                            + "live heap after the run %d MiB (key server and agents); %d cores%n",
                    clients, inFlight, seconds, count, perSecond(), failures, percentileMillis(0.50),
                    percentileMillis(0.99), count == 0 ? Double.NaN : keyServerCpuNanos / 1e6 / count,
                    liveHeapBytes >> 20, Runtime.getRuntime().availableProcessors());
        }
    }

    static Result run(int clients, int seconds, int inFlight) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("SIP-TLS bench CA");
        KeyStore trust = ca.trustStore();
        TlsIdentity keyServerId = identity(ca, "keyserver", List.of("127.0.0.1", "localhost"), trust);
        KeyServerConfig config = KeyServerConfig.builder().identity(keyServerId).port(0)
                .authorization(AuthorizationRule.sameDomain()).build();
        List<SipTlsAgent> agents = new ArrayList<>();
        try (KeyServer server = KeyServer.start(config)) {
            TlsIdentity web = identity(ca, "www.example.com", List.of("www.example.com"), trust);
            SipTlsAgent bob = agent(server.address(), identity(ca, "bob", List.of("sip:bob@example.com"), trust),
                    "sip:bob@example.com", SecurityPolicy.builder().cipherSuites(SUITES)
                            .binding(new HostPort("www.example.com", 443)).certificateChain(web.chain()).build(),
                    web.privateKey());
            agents.add(bob);
            for (int i = 0; i < clients; i++) {
                String aor = "sip:client" + i + "@example.com";
                agents.add(agent(server.address(), identity(ca, "client" + i, List.of(aor), trust), aor,
                        SecurityPolicy.builder().cipherSuites(SUITES).build(), null));
            }
            for (SipTlsAgent agent : agents) {
                if (!agent.awaitRegistered(Duration.ofSeconds(20))) {
                    throw new IllegalStateException(agent.aor() + " did not register: " + agent.lastError().orElse("?"));
                }
            }
            long cpuBefore = cpuNanos(config.name() + "-");
            Result result = drive(agents.subList(1, agents.size()), seconds, inFlight);
            long cpu = cpuNanos(config.name() + "-") - cpuBefore;
            return new Result(result.count(), result.failures(), result.seconds(), result.latencyNanos(), cpu,
                    liveHeap());
        } finally {
            agents.forEach(SipTlsAgent::close);
        }
    }

    /**
     * CPU time of the live threads whose group's name starts with {@code groupPrefix} (a SIP endpoint's threads
     * are in a group named after its stack). Threads that end between two readings are missed: the key
     * server's connection threads live as long as the agents' connections, that is the whole run.
     */
    private static long cpuNanos(String groupPrefix) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            ThreadGroup g = t.getThreadGroup();
            if (g != null && g.getName().startsWith(groupPrefix)) {
                long cpu = mx.getThreadCpuTime(t.getId());
                sum += Math.max(0, cpu);
            }
        }
        return sum;
    }

    private static long liveHeap() {
        try {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static Result drive(List<SipTlsAgent> clients, int seconds, int inFlight) throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> drivers = new ArrayList<>();
        for (SipTlsAgent client : clients) {
            Thread driver = new Thread(() -> {
                Semaphore slots = new Semaphore(inFlight);
                while (System.nanoTime() < end) {
                    try {
                        slots.acquire();
                    } catch (InterruptedException e) {
                        return;
                    }
                    long sent = System.nanoTime();
                    CompletableFuture<SecurityAssociation> f = client.requestAssociation("sip:bob@example.com");
                    f.whenComplete((sa, error) -> {
                        if (error == null) {
                            latencies.add(System.nanoTime() - sent);
                            ok.incrementAndGet();
                        } else {
                            if (failed.incrementAndGet() <= 3) { // say why, for the first few
                                System.out.println("failed: " + (error.getCause() != null ? error.getCause() : error));
                            }
                        }
                        slots.release();
                    });
                }
                slots.acquireUninterruptibly(inFlight);
            }, "bench-" + client.aor());
            driver.start();
            drivers.add(driver);
        }
        for (Thread driver : drivers) {
            driver.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] lat;
        synchronized (latencies) {
            lat = latencies.stream().mapToLong(Long::longValue).toArray();
        }
        return new Result(ok.get(), failed.get(), elapsed, lat, 0, 0);
    }
}
