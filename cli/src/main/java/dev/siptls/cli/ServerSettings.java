package dev.siptls.cli;

import dev.siptls.server.AuthorizationRule;
import dev.siptls.server.KeyServerConfig;
import dev.siptls.server.ServingRule;
import dev.siptls.sip.TlsIdentity;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code --config} properties file of {@code sip-tls server}. Every key is optional; command-line flags
 * win over the file, the file over the defaults. Unknown keys are refused, so a typo does not go unnoticed.
 *
 * <pre>
 * # --- identity (leave out for the demo credentials in --data-dir) ---------------------------------
 * # keystore             PKCS#12 file with the key server's key and certificate chain
 * # keystore.password    its password (or set the environment variable SIPTLS_KEYSTORE_PASSWORD)
 * # truststore           PKCS#12 file of the CAs agents' client certificates chain to
 * # truststore.password  its password (default: keystore.password)
 * # policy.truststore    PKCS#12 file of the CAs TLS server certificates in policies chain to
 * #                      (default: truststore)
 * # policy.truststore.password  (default: truststore.password)
 * # --- where it listens ----------------------------------------------------------------------------
 * # bind                 address of the TLS listener (default 127.0.0.1; --bind wins)
 * # port                 TLS port (default 5061; 0 picks a free one; --port wins)
 * # plain-tcp.port       plain-TCP listener for conformance tools without TLS, e.g. sipp
 * #                      (default 0 = none; nothing security-relevant succeeds on it)
 * # name                 name of the server in logs, JMX and metrics (default keyserver)
 * # metrics              host:port to serve Prometheus /metrics and /health/live, /health/ready on, plain HTTP
 * #                      (default: none; --metrics wins)
 * # --- limits --------------------------------------------------------------------------------------
 * # sa.max-lifetime      longest SA lifetime handed out, seconds (default 3600, at most 86400)
 * # expires.min          shortest registration accepted, seconds (default 60; 423 below)
 * # expires.max          longest registration granted, seconds (default 3600; longer asks are cut)
 * # expires.default      registration granted when a REGISTER names none, seconds (default 600)
 * # relay.timeout        how long to wait for the server agent's answer, milliseconds (default 1500: below the agents' 2 s request timeout, so a client hears the 408)
 * # max-message-size     largest SIP message accepted, bytes (default 131072)
 * # replay-cache.size    INVITEs remembered to refuse replays (default 65536)
 * # keep-alive           how long a connection that sent CRLF keep-alive pings may stay silent before it is
 * #                      closed, seconds (default 30)
 * # event-loops          threads that own the TLS connections, 1..64 (default: processors, at most 4)
 * # handshake-threads    threads for TLS handshake work, 1..64 (default: processors, at most 4)
 * # --- policy --------------------------------------------------------------------------------------
 * # authorization        same-domain (default: both AORs in one domain) or anyone
 * # serving              certified (default: an agent may bind any host a certificate it proved names)
 * #                      or same-domain (only its AOR's domain and names under it)
 * # suites.allow-legacy  true to issue SAs with CBC, 3DES or plain-RSA key exchange suites that two
 * #                      policies share (default false: AEAD suites with forward secrecy only)
 * # demo.agents          comma-separated AORs to create demo identities for
 * #                      (default sip:alice@example.com,sip:bob@example.com; demo mode only)
 * </pre>
 */
final class ServerSettings {

    static final Set<String> OWN_KEYS = Set.of("keystore", "keystore.password", "truststore", "truststore.password",
            "policy.truststore", "policy.truststore.password", "bind", "port", "plain-tcp.port", "name",
            "sa.max-lifetime", "expires.min", "expires.max", "expires.default", "relay.timeout",
            "max-message-size", "replay-cache.size", "keep-alive", "event-loops", "handshake-threads", "authorization", "serving", "suites.allow-legacy",
            "demo.agents", "metrics");

    static final Set<String> KEYS = union(OWN_KEYS, ClusterSettings.KEYS);

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private final Properties properties;

    private ServerSettings(Properties properties) {
        this.properties = properties;
        Set<String> unknown = new TreeSet<>(properties.stringPropertyNames());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            List<String> named = unknown.stream().map(key -> nearest(key).map(k -> key + " (did you mean " + k + "?)")
                    .orElse(key)).toList();
            throw new IllegalArgumentException("unknown key" + (named.size() == 1 ? " " : "s ") + String.join(", ", named)
                    + "; sip-tls server --help-config lists the keys");
        }
    }

    static ServerSettings none() {
        return new ServerSettings(new Properties());
    }

    /** The file's keys; a file that cannot be read is a {@link UserError} naming it. */
    static ServerSettings load(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            throw new UserError("--config " + file + " does not exist; give the path of a properties file"
                    + " (sip-tls server --help-config lists its keys)", e);
        } catch (FileSystemException e) {
            throw new UserError("cannot read --config " + file + ": " + KeyStoreFiles.reason(e), e);
        } catch (IOException | IllegalArgumentException e) {
            // a directory, a file that is not UTF-8, a malformed unicode escape
            throw new UserError("cannot read --config " + file + " as a properties file: " + e.getMessage(), e);
        }
        try {
            return new ServerSettings(p);
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": " + e.getMessage(), e);
        }
    }

    /** A known key that {@code key} is probably a typo of. */
    private static java.util.Optional<String> nearest(String key) {
        return KEYS.stream().filter(k -> distance(k, key) <= 2).min(java.util.Comparator.comparingInt(k -> distance(k, key)));
    }

    /** Edits (insert, delete, replace) from {@code a} to {@code b}. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    /**
     * {@code message} of {@link KeyServerConfig}'s checks with its builder's names replaced by this file's keys,
     * e.g. {@code maxLifetime must be positive} as {@code sa.max-lifetime must be positive}.
     */
    static String inKeys(String message) {
        String s = message == null ? "" : message;
        for (var name : BUILDER_NAMES.entrySet()) {
            s = s.replaceAll("\\b" + name.getKey() + "\\b", name.getValue());
        }
        return s;
    }

    private static final java.util.Map<String, String> BUILDER_NAMES = java.util.Map.ofEntries(
            java.util.Map.entry("maxLifetime", "sa.max-lifetime"), java.util.Map.entry("minExpires", "expires.min"),
            java.util.Map.entry("maxExpires", "expires.max"), java.util.Map.entry("defaultExpires", "expires.default"),
            java.util.Map.entry("relayTimeout", "relay.timeout"), java.util.Map.entry("maxMessageSize", "max-message-size"),
            java.util.Map.entry("replayCacheSize", "replay-cache.size"), java.util.Map.entry("keepAlive", "keep-alive"),
            java.util.Map.entry("eventLoops", "event-loops"), java.util.Map.entry("handshakeThreads", "handshake-threads"),
            java.util.Map.entry("plainTcpPort", "plain-tcp.port"));

    /** The {@code cluster.*} keys. */
    ClusterSettings cluster() {
        return new ClusterSettings(properties);
    }

    /** The listen address the file names, if any. */
    java.util.Optional<String> bind() {
        return java.util.Optional.ofNullable(properties.getProperty("bind")).map(String::trim);
    }

    /** The address the file asks metrics to be served on, if any. */
    java.util.Optional<String> metrics() {
        return java.util.Optional.ofNullable(properties.getProperty("metrics")).map(String::trim);
    }

    /** Whether the file names the key server's own key store (else the demo credentials are used). */
    boolean hasIdentity() {
        return properties.containsKey("keystore");
    }

    /** The identity named by {@code keystore}/{@code truststore}. */
    TlsIdentity identity(Path base) throws Exception {
        char[] password = password("keystore.password", System.getenv("SIPTLS_KEYSTORE_PASSWORD"));
        char[] trustPassword = password("truststore.password", new String(password));
        String trust = properties.getProperty("truststore");
        if (trust == null) {
            throw new IllegalArgumentException("keystore is set but truststore is not: give the PKCS#12 file of the"
                    + " CAs agents' certificates chain to");
        }
        return KeyStoreFiles.identity(base.resolve(properties.getProperty("keystore").trim()), password, "keystore",
                passwordFrom("keystore.password"), base.resolve(trust.trim()), trustPassword, "truststore",
                properties.containsKey("truststore.password") ? "truststore.password" : passwordFrom("keystore.password"),
                "fix the path or the password (relative paths are resolved from the --config file's directory)");
    }

    /** Where a key store's password came from, to name in an error. */
    private String passwordFrom(String key) {
        return properties.containsKey(key) ? key : "SIPTLS_KEYSTORE_PASSWORD";
    }

    private char[] password(String key, String fallback) {
        String value = properties.getProperty(key, fallback);
        if (value == null) {
            throw new IllegalArgumentException(key + " is not set (nor SIPTLS_KEYSTORE_PASSWORD)");
        }
        return value.toCharArray();
    }

    List<String> demoAgents() {
        String value = properties.getProperty("demo.agents");
        if (value == null || value.isBlank()) {
            return DemoCredentials.DEFAULT_AGENTS;
        }
        return List.of(value.trim().split("\\s*,\\s*"));
    }

    /** Applies every key present to {@code b}; flags are applied by the caller afterwards. */
    KeyServerConfig.Builder apply(KeyServerConfig.Builder b, Path base) throws Exception {
        String policyTrust = properties.getProperty("policy.truststore");
        if (policyTrust != null) {
            char[] pw = password("policy.truststore.password", properties.getProperty("truststore.password",
                    properties.getProperty("keystore.password", System.getenv("SIPTLS_KEYSTORE_PASSWORD"))));
            b.policyTrustStore(KeyStoreFiles.load(base.resolve(policyTrust.trim()), pw, "policy.truststore",
                    properties.containsKey("policy.truststore.password") ? "policy.truststore.password"
                            : properties.containsKey("truststore.password") ? "truststore.password"
                            : passwordFrom("keystore.password"),
                    "fix the path or the password (relative paths are resolved from the --config file's directory)"));
        }
        String v;
        if ((v = properties.getProperty("bind")) != null) {
            b.bindAddress(v.trim());
        }
        if ((v = properties.getProperty("port")) != null) {
            b.port(integer("port", v));
        }
        if ((v = properties.getProperty("plain-tcp.port")) != null) {
            b.plainTcpPort(integer("plain-tcp.port", v));
        }
        if ((v = properties.getProperty("name")) != null) {
            b.name(v.trim());
        }
        if ((v = properties.getProperty("sa.max-lifetime")) != null) {
            b.maxLifetime(Duration.ofSeconds(positive("sa.max-lifetime", v)));
        }
        if ((v = properties.getProperty("expires.min")) != null) {
            b.minExpires(Duration.ofSeconds(positive("expires.min", v)));
        }
        if ((v = properties.getProperty("expires.max")) != null) {
            b.maxExpires(Duration.ofSeconds(positive("expires.max", v)));
        }
        if ((v = properties.getProperty("expires.default")) != null) {
            b.defaultExpires(Duration.ofSeconds(positive("expires.default", v)));
        }
        if ((v = properties.getProperty("relay.timeout")) != null) {
            b.relayTimeout(Duration.ofMillis(positive("relay.timeout", v)));
        }
        if ((v = properties.getProperty("max-message-size")) != null) {
            b.maxMessageSize(integer("max-message-size", v));
        }
        if ((v = properties.getProperty("replay-cache.size")) != null) {
            b.replayCacheSize(integer("replay-cache.size", v));
        }
        if ((v = properties.getProperty("keep-alive")) != null) {
            b.keepAlive(Duration.ofSeconds(positive("keep-alive", v)));
        }
        if ((v = properties.getProperty("event-loops")) != null) {
            b.eventLoops(integer("event-loops", v));
        }
        if ((v = properties.getProperty("handshake-threads")) != null) {
            b.handshakeThreads(integer("handshake-threads", v));
        }
        if ((v = properties.getProperty("authorization")) != null) {
            b.authorization(switch (v.trim()) {
                case "same-domain" -> AuthorizationRule.sameDomain();
                case "anyone" -> AuthorizationRule.anyone();
                default -> throw new IllegalArgumentException(
                        "authorization must be same-domain or anyone, got '" + v.trim() + "'");
            });
        }
        if ((v = properties.getProperty("serving")) != null) {
            b.serving(switch (v.trim()) {
                case "certified" -> ServingRule.certified();
                case "same-domain" -> ServingRule.sameDomain();
                default -> throw new IllegalArgumentException(
                        "serving must be certified or same-domain, got '" + v.trim() + "'");
            });
        }
        if ((v = properties.getProperty("suites.allow-legacy")) != null) {
            b.allowLegacySuites(bool("suites.allow-legacy", v));
        }
        return b;
    }

    private static boolean bool(String key, String value) {
        return switch (value.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, got '" + value.trim() + "'");
        };
    }

    /** Durations are checked here, not only when the key server's configuration is built: before any file is written. */
    private static int positive(String key, String value) {
        int n = integer(key, value);
        if (n <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + n);
        }
        return n;
    }

    private static int integer(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + value.trim() + "'");
        }
    }
}
