package dev.siptls.bench.demo;

import dev.siptls.protocol.HostPort;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * What a terminal's SIP-TLS provider is configured with: its AOR, its key store and trust store files
 * (PKCS#12, password {@link DemoPki#passwordText()}), the key server, and the host:ports its TLS servers
 * serve (published in its policy so that clients can name them), and the TLS versions of the SAs it accepts
 * (empty: the provider's default).
 */
record TerminalSpec(int number, String aor, Path keyStore, Path trustStore, InetSocketAddress keyServer,
        String keyServerName, List<HostPort> serves, List<String> protocols, Path directory) {

    TerminalSpec {
        serves = List.copyOf(serves);
        protocols = List.copyOf(protocols);
    }
}
