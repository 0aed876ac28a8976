package dev.siptls.cli;

import dev.siptls.bench.DistributionBench;
import dev.siptls.bench.HandshakeBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sip-tls bench}: the measured comparisons, each competitor in the same run, reported as ratios. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures, in one run: server CPU and wall time per handshake (SIP-resumed, BCJSSE native "
                + "resumption, BCJSSE and SunJSSE full handshakes) and the key server's SA distribution rate "
                + "and INVITE->200(SA) latency."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--handshakes", paramLabel = "COUNT", description = "handshakes per way (default ${DEFAULT-VALUE})")
    int handshakes = 500;

    @Option(names = "--clients", paramLabel = "N", description = "client agents for the distribution rate (default ${DEFAULT-VALUE})")
    int clients = 8;

    @Option(names = "--in-flight", paramLabel = "K", description = "SA requests in flight per client agent (default ${DEFAULT-VALUE})")
    int inFlight = 4;

    @Option(names = "--seconds", paramLabel = "S", description = "duration of the distribution run (default ${DEFAULT-VALUE})")
    int seconds = 10;

    @Override
    public Integer call() throws Exception {
        System.out.println("== Handshake cost ==");
        HandshakeBench.main(new String[] {Integer.toString(handshakes)});
        System.out.println();
        System.out.println("== SA distribution ==");
        DistributionBench.main(new String[] {Integer.toString(clients), Integer.toString(seconds),
                Integer.toString(inFlight)});
        return 0;
    }
}
