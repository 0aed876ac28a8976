package dev.siptls.cli;

import dev.siptls.bench.demo.Demo;
import dev.siptls.bench.demo.DemoOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sip-tls demo}: the paper's evaluation, counted and measured, on an embedded key server. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs an embedded key server and n terminals over loopback, connects them three ways "
                + "on TLS 1.2 (traditional TLS, TLS session resumption, SIP-TLS) and SIP-TLS on TLS 1.3 (PSK SAs) "
                + "in the paper's two cases, prints the paper's Table 1 with counted figures and writes a report "
                + "with plots."})
final class DemoCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Option(names = "--terminals", paramLabel = "N", description = "terminals in case 2 (default ${DEFAULT-VALUE})")
    int terminals = 4;

    @Option(names = "--applications", paramLabel = "M", description = "applications in case 1 (default ${DEFAULT-VALUE})")
    int applications = 3;

    @Option(names = "--report", paramLabel = "DIR", description = "report folder (default ${DEFAULT-VALUE})")
    Path report = Path.of("sip-tls-report");

    @Option(names = "--max-terminals", paramLabel = "N",
            description = "largest n of the sweep behind the plots (default ${DEFAULT-VALUE})")
    int maxTerminals = 16;

    @Option(names = "--quick", description = "a small run, for a first look")
    boolean quick;

    @Override
    public Integer call() {
        DemoOptions.Builder options = quick ? DemoOptions.builder().quick() : DemoOptions.builder();
        if (!quick) {
            options.terminals(terminals).applications(applications).maxTerminalsForPlot(maxTerminals);
        }
        return Demo.run(options.reportDirectory(report).build(), System.out);
    }
}
