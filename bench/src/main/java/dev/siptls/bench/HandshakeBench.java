package dev.siptls.bench;

import dev.siptls.bench.demo.QuietLogs;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateAuthority.KeyType;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * Server CPU time and client wall time per handshake, for each way of connecting, measured in one run so
 * that a noisy shared machine affects all of them alike; reported as ratios.
 *
 * <p>Run: {@code java -cp bench/target/... dev.siptls.bench.HandshakeBench [count]}.
 */
public final class HandshakeBench {

    static final char[] PASSWORD = "bench".toCharArray();
    private static final String[] TLS12 = {"TLSv1.2"};
    private static final String[] TLS13 = {"TLSv1.3"};
    private static final String SUITE = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    private static final String SUITE13 = "TLS_AES_128_GCM_SHA256";

    private HandshakeBench() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        try (QuietLogs quiet = new QuietLogs()) {
            print(run(count, Math.max(50, count / 5)));
        }
    }

    /**
     * Every way is measured twice and the second round reported, so that no way pays for the JIT's warm-up.
     * Like with like: every connection of every row, SIP-TLS's included, enables one suite, AES-128-GCM of its TLS
     * version, and each row prints what it negotiated. "BC crypto" is BCJSSE over the Bouncy Castle provider, the
     * same engine and crypto SIP-TLS delegates to. The TLS 1.3 SIP-TLS row is a second pair of terminals whose agents
     * offer only TLS_AES_128_GCM_SHA256, so that their SAs are TLS 1.3 PSKs (x25519).
     */
    static List<HandshakeCost> run(int count, int warmup) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("SIP-TLS bench CA");
        KeyStore server = ca.issue("localhost", List.of("localhost", "127.0.0.1"), KeyType.RSA_2048, PASSWORD);
        KeyStore trust = ca.trustStore();
        Provider bcJdkCrypto = new BouncyCastleJsseProvider();
        Provider bcBcCrypto = new BouncyCastleJsseProvider(new BouncyCastleProvider());
        int port = LoopbackTls.freePort();
        int port13 = LoopbackTls.freePort();
        try (SipTlsPair sip = SipTlsPair.start(ca, port, SUITE);
             SipTlsPair sip13 = SipTlsPair.start(ca, port13, SUITE13)) {
            SSLContext sipClient = context(sip.client, null, trust);
            SSLContext sipServer = context(sip.server, server, null);
            SSLContext sip13Client = context(sip13.client, null, trust);
            SSLContext sip13Server = context(sip13.server, server, null);
            sip.awaitRegistered();
            sip13.awaitRegistered();
            List<HandshakeCost> out = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                out.clear();
                out.add(viaSip("SIP-TLS 1.3 PSK + x25519", () -> LoopbackTls.measure("", sip13Client,
                        sip13Server, port13, TLS13, SUITE13, true, "localhost", warmup, count),
                        () -> sip13.server.statistics().getSipTls13HandshakesAsServer()));
                out.add(viaSip("SIP-resumed TLS 1.2 (SIP-TLS)", () -> LoopbackTls.measure("", sipClient,
                        sipServer, port, TLS12, SUITE, true, "localhost", warmup, count),
                        () -> sip.server.statistics().getSipResumptionsAsServer()));
                out.add(LoopbackTls.measure("BCJSSE native resumption, BC crypto", context(bcBcCrypto, null, trust),
                        context(bcBcCrypto, server, null), TLS12, SUITE, true, "localhost", warmup, count));
                out.add(LoopbackTls.measure("BCJSSE native resumption, JDK crypto", context(bcJdkCrypto, null, trust),
                        context(bcJdkCrypto, server, null), TLS12, SUITE, true, "localhost", warmup, count));
                out.add(LoopbackTls.measure("BCJSSE full TLS 1.2 ECDHE-RSA-2048", context(bcJdkCrypto, null, trust),
                        context(bcJdkCrypto, server, null), TLS12, SUITE, false, "localhost", warmup, count));
                out.add(LoopbackTls.measure("SunJSSE full TLS 1.2 ECDHE-RSA-2048", context(null, null, trust),
                        context(null, server, null), TLS12, SUITE, false, "localhost", warmup, count));
                out.add(LoopbackTls.measure("BCJSSE full TLS 1.3 RSA-2048, BC crypto", context(bcBcCrypto, null,
                        trust), context(bcBcCrypto, server, null), TLS13, SUITE13, false, "localhost", warmup, count));
                out.add(LoopbackTls.measure("SunJSSE full TLS 1.3 RSA-2048", context(null, null, trust),
                        context(null, server, null), TLS13, SUITE13, false, "localhost", warmup, count));
            }
            return out;
        }
    }

    /** A measurement of SIP-TLS, named with how many of its handshakes the server counted as made {@code how}. */
    private static HandshakeCost viaSip(String name, Measurement measurement, LongSupplier counter)
            throws Exception {
        long before = counter.getAsLong();
        HandshakeCost cost = measurement.run();
        long sip = counter.getAsLong() - before;
        return new HandshakeCost(name + " [" + sip + " via SIP]", cost.wallNanos(), cost.serverCpuNanos(),
                cost.resumed(), cost.negotiated());
    }

    @FunctionalInterface
    private interface Measurement {
        HandshakeCost run() throws Exception;
    }

    /** BCJSSE logs three INFO lines per connection; that would be measured too. */
    static SSLContext context(Provider provider, KeyStore keys, KeyStore trust) throws Exception {
        SSLContext context = provider == null ? SSLContext.getInstance("TLS", "SunJSSE")
                : provider instanceof SipTlsProvider ? SSLContext.getInstance(SipTlsProvider.PROTOCOL, provider)
                : SSLContext.getInstance("TLS", provider);
        KeyManagerFactory kmf = null;
        if (keys != null) {
            kmf = provider == null || provider instanceof SipTlsProvider
                    ? KeyManagerFactory.getInstance("PKIX", "SunJSSE") : KeyManagerFactory.getInstance("PKIX", provider);
            kmf.init(keys, PASSWORD);
        }
        TrustManagerFactory tmf = null;
        if (trust != null) {
            tmf = provider == null || provider instanceof SipTlsProvider
                    ? TrustManagerFactory.getInstance("PKIX", "SunJSSE") : TrustManagerFactory.getInstance("PKIX", provider);
            tmf.init(trust);
        }
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(),
                new SecureRandom());
        return context;
    }

    static void print(List<HandshakeCost> results) {
        HandshakeCost base = results.get(0);
        System.out.printf(Locale.ROOT, "%-44s %12s %12s %14s %8s %10s %10s  %s%n", "way", "wall p50 us",
                "wall p99 us", "server CPU us", "resumed", "CPU ratio", "wall ratio", "negotiated");
        for (HandshakeCost r : results) {
            System.out.printf(Locale.ROOT, "%-44s %12.0f %12.0f %14.0f %8d %9.2fx %9.2fx  %s%n", r.name(),
                    r.medianWallMicros(), r.p99WallMicros(), r.medianServerCpuMicros(), r.resumed(),
                    r.medianServerCpuMicros() / base.medianServerCpuMicros(),
                    r.medianWallMicros() / base.medianWallMicros(), r.negotiated());
        }
        System.out.println("Like with like: every row's client and server enable one suite, " + SUITE
                + " on TLS 1.2 and " + SUITE13 + " on TLS 1.3. Ratios are to the first row (SIP-TLS 1.3); "
                + results.get(0).wallNanos().length
                + " handshakes each after warm-up, one at a time, TCP_NODELAY on, loopback, "
                + Runtime.getRuntime().availableProcessors() + " cores.");
    }
}
