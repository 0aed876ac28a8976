package dev.siptls.bench.demo;

import dev.siptls.protocol.HostPort;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * What a terminal's SIP-TLS provider is configured with: its AOR, its key store and trust store files
 * (PKCS#12, password {@link DemoPki#passwordText()}), the key server, and the host:ports its TLS servers
 * serve (published in its policy so that clients can name them).
 */
record TerminalSpec(int number, String aor, Path keyStore, Path trustStore, InetSocketAddress keyServer,
        String keyServerName, List<HostPort> serves, Path directory) {

    TerminalSpec {
        serves = List.copyOf(serves);
    }
}
