package dev.siptls.provider;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.CipherSuites;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.sip.CertificateNames;
import dev.siptls.sip.TlsIdentity;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * How one {@link SipTlsProvider} instance runs: who its SIP agent is, where its key server is, what it
 * serves, and what happens when no security association can be had. Immutable; read from a properties
 * file by {@link #load(Path)} (what {@code security.provider.N=SipTls /path/to/sip-tls.properties} and
 * {@link SipTlsProvider#configure(String)} use), which checks everything at once, loads the key and trust
 * stores, and refuses unknown keys (a typo fails loudly rather than silently meaning a default).
 *
 * <p>Keys (a template with comments: {@code dev/siptls/provider/sip-tls.properties.template} in this jar):
 * <table>
 * <caption>sip-tls.properties</caption>
 * <tr><th>key</th><th>meaning</th><th>default</th></tr>
 * <tr><td>{@code aor}</td><td>the agent's SIP address of record, e.g. {@code sip:alice@example.com}; the key
 *     store's certificate must prove it (subjectAltName URI)</td><td>required</td></tr>
 * <tr><td>{@code keyStore}</td><td>the agent's key store (one private key + chain) it authenticates to the key
 *     server with; a relative path is resolved against the properties file's directory</td><td>required</td></tr>
 * <tr><td>{@code keyStorePassword} or {@code keyStorePassword.env}</td><td>its password, or the name of the
 *     environment variable holding it (never both)</td><td>required</td></tr>
 * <tr><td>{@code keyStoreType}</td><td>{@code PKCS12} or {@code JKS}</td><td>{@code PKCS12}</td></tr>
 * <tr><td>{@code trustStore}</td><td>trust anchors for the key server's certificate</td><td>required</td></tr>
 * <tr><td>{@code trustStorePassword} or {@code trustStorePassword.env}</td><td>its password</td><td>none</td></tr>
 * <tr><td>{@code trustStoreType}</td><td>{@code PKCS12} or {@code JKS}</td><td>{@code PKCS12}</td></tr>
 * <tr><td>{@code keyServer}</td><td>{@code host:port} of the key server's SIP-over-TLS listener, or several
 *     ({@code host:port,host:port}): the agent registers with one at a time and moves to the next when it is
 *     lost, hangs or refuses; or {@code srv:_sips._tcp.example.com}: the key servers of that DNS SRV name (RFC
 *     3263), looked up again at each round of attempts</td><td>required</td></tr>
 * <tr><td>{@code keyServer.resolver}</td><td>with {@code srv:}, the DNS server asked, {@code dns://host[:port]}
 *     </td><td>the system's</td></tr>
 * <tr><td>{@code keyServerName}</td><td>the dNSName or IP address every key server's certificate must carry
 *     </td><td>each entry's host; for {@code srv:} each SRV target's host name</td></tr>
 * <tr><td>{@code serve}</td><td>comma-separated {@code host:port}s this application serves as a TLS server;
 *     published in its policy with the certificate chain of the key manager given to
 *     {@code SSLContext.init}</td><td>none (client only)</td></tr>
 * <tr><td>{@code prefetch}</td><td>comma-separated {@code host:port}s (at most 256) this application will connect
 *     to as a TLS client: once registered, the agent obtains an SA for each so that the first connection to it
 *     resumes at once</td><td>none</td></tr>
 * <tr><td>{@code protocols}</td><td>comma-separated TLS versions, {@code TLSv1.3} and/or {@code TLSv1.2}, most
 *     preferred first: the versions of the SAs this peer accepts (its policy lists those its suites belong to)
 *     and the SIP-TLS contexts' default enabled protocols</td><td>{@code TLSv1.3,TLSv1.2}</td></tr>
 * <tr><td>{@code suites}</td><td>comma-separated IANA names of the suites SAs may use (TLS 1.3 suites for PSK
 *     SAs, TLS 1.2 suites for resumed sessions), most preferred first, each of a version {@code protocols}
 *     lists; kept as written, but a key server issues CBC, 3DES or plain-RSA suites only where it allows
 *     legacy suites</td><td>the three TLS 1.3 suites ({@code TLS_AES_128_GCM_SHA256},
 *     {@code TLS_AES_256_GCM_SHA384}, {@code TLS_CHACHA20_POLY1305_SHA256}), then the SIP-TLS context's enabled
 *     TLS 1.2 suites that are AEAD with forward secrecy (for a server, those matching its key type), of the
 *     versions {@code protocols} lists; for a server, only those every server connection seen so far enables
 *     </td></tr>
 * <tr><td>{@code maxLifetime}</td><td>the longest SA lifetime this peer accepts (whole seconds, at most 1 day)
 *     </td><td>the key server decides</td></tr>
 * <tr><td>{@code requestTimeout}</td><td>how long a client handshake waits for the key server's SA before it
 *     falls back; 50 ms to 10 s (the wait holds BCJSSE's session-cache lock)</td><td>{@code 2s}</td></tr>
 * <tr><td>{@code fallback}</td><td>{@code full}: no SA, ordinary full handshake; {@code fail}: no SA, the
 *     handshake fails with an {@code SSLHandshakeException} saying why</td><td>{@code full}</td></tr>
 * <tr><td>{@code registrationExpiry}</td><td>the SIP registration expiry asked for (refreshed at half)</td>
 *     <td>{@code 600s}</td></tr>
 * <tr><td>{@code bindAddress}</td><td>local address of the connection to the key server</td><td>the one the OS
 *     routes through</td></tr>
 * <tr><td>{@code keepAliveInterval}</td><td>how long the connection to the key server may stay silent before
 *     the agent probes it (SIP OPTIONS); 100 ms to 1 h</td><td>{@code 15s}</td></tr>
 * <tr><td>{@code keepAliveTimeout}</td><td>how long a probe may go unanswered before the key server counts as
 *     lost (the agent leaves REGISTERED, reconnects); 100 ms to 60 s</td><td>{@code 5s}</td></tr>
 * <tr><td>{@code awaitRegistration}</td><td>how long {@code SSLContext.init} waits for the agent to register
 *     (0: not at all); at most 60 s</td><td>{@code 0}</td></tr>
 * </table>
 *
 * <p>Durations are whole seconds ({@code 30}) or carry a unit: {@code 500ms}, {@code 2s}, {@code 10m},
 * {@code 1h}, or ISO-8601 ({@code PT2S}). Passwords are read once, handed to the key stores, and appear in no
 * message, log or {@code toString}.
 */
public final class SipTlsConfiguration {

    /** The keys a properties file may hold. */
    public static final Set<String> KEYS = Set.of("aor", "keyStore", "keyStorePassword", "keyStorePassword.env",
            "keyStoreType", "trustStore", "trustStorePassword", "trustStorePassword.env", "trustStoreType",
            "keyServer", "keyServer.resolver", "keyServerName", "serve", "prefetch", "protocols", "suites", "maxLifetime", "requestTimeout", "fallback",
            "registrationExpiry", "bindAddress", "keepAliveInterval", "keepAliveTimeout", "awaitRegistration");

    static final Duration MIN_REQUEST_TIMEOUT = Duration.ofMillis(50);
    static final Duration MAX_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MIN_KEEP_ALIVE = Duration.ofMillis(100);
    static final Duration MAX_KEEP_ALIVE_INTERVAL = Duration.ofHours(1);
    static final Duration MAX_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(60);
    static final Duration MAX_AWAIT_REGISTRATION = Duration.ofSeconds(60);
    /** Each prefetched peer is one SA request at start: a bounded burst for the key server. */
    static final int MAX_PREFETCH = 256;

    /** What a handshake does when no security association can be used. */
    public enum Fallback {
        /** An ordinary full handshake (counted, and logged at most once a minute per reason). */
        FULL,
        /** The handshake fails with an {@code SSLHandshakeException} that says why. */
        FAIL
    }

    private final String source;
    private final String aor;
    private final TlsIdentity identity;
    /** Empty when the key servers are given by an SRV name. */
    private final List<HostPort> keyServers;
    private final String keyServerSrv;
    private final String keyServerResolver;
    private final String keyServerName;
    private final List<HostPort> serve;
    private final List<HostPort> prefetch;
    private final List<String> protocols;
    private final List<String> suites;
    private final Duration maxLifetime;
    private final Duration requestTimeout;
    private final Fallback fallback;
    private final Duration registrationExpiry;
    private final String bindAddress;
    private final Duration keepAliveInterval;
    private final Duration keepAliveTimeout;
    private final Duration awaitRegistration;

    private SipTlsConfiguration(String source, Reading r) throws GeneralSecurityException, IOException {
        this.source = source;
        this.aor = r.required("aor");
        String keyServerText = r.optional("keyServer").orElseThrow(() -> r.missing("keyServer"));
        if (keyServerText.trim().regionMatches(true, 0, SRV_PREFIX, 0, SRV_PREFIX.length())) {
            this.keyServers = List.of();
            this.keyServerSrv = r.parsed("keyServer", t -> srvName(t.trim().substring(SRV_PREFIX.length()))).get();
            this.keyServerResolver = r.parsed("keyServer.resolver", SipTlsConfiguration::resolver).orElse(null);
        } else {
            this.keyServers = r.list("keyServer", keyServerText, SipTlsConfiguration::keyServerEntry);
            if (keyServers.isEmpty()) {
                throw r.invalid("keyServer", "lists no key server; give host:port[,host:port...] or srv:<SRV name>");
            }
            this.keyServerSrv = null;
            if (r.optional("keyServer.resolver").isPresent()) {
                throw r.invalid("keyServer.resolver", "applies to keyServer=srv:<SRV name> only");
            }
            this.keyServerResolver = null;
        }
        this.keyServerName = r.optional("keyServerName").orElse(null);
        this.serve = r.optional("serve").map(s -> r.list("serve", s, HostPort::parse)).orElse(List.of());
        this.prefetch = r.optional("prefetch").map(s -> r.list("prefetch", s, HostPort::parse)).orElse(List.of());
        if (prefetch.size() > MAX_PREFETCH) {
            throw r.invalid("prefetch", "lists " + prefetch.size() + " peers; at most " + MAX_PREFETCH);
        }
        this.protocols = r.optional("protocols").map(s -> r.list("protocols", s, SipTlsConfiguration::protocol))
                .orElse(CipherSuites.PROTOCOL_VERSIONS);
        if (protocols.isEmpty()) {
            throw r.invalid("protocols", "lists no version; give TLSv1.3 and/or TLSv1.2");
        }
        this.suites = r.optional("suites").map(s -> r.list("suites", s, SipTlsConfiguration::suite)).orElse(List.of());
        for (String suite : suites) {
            if (!protocols.contains(CipherSuites.protocolVersion(suite))) {
                throw r.invalid("suites", suite + " is a " + CipherSuites.protocolVersion(suite) + " suite, but"
                        + " 'protocols' (" + String.join(",", protocols) + ") does not list "
                        + CipherSuites.protocolVersion(suite));
            }
        }
        this.maxLifetime = r.parsed("maxLifetime", SipTlsConfiguration::duration).map(d -> lifetime(r, d)).orElse(null);
        this.requestTimeout = r.parsed("requestTimeout", SipTlsConfiguration::duration).orElse(Duration.ofSeconds(2));
        if (requestTimeout.compareTo(MIN_REQUEST_TIMEOUT) < 0 || requestTimeout.compareTo(MAX_REQUEST_TIMEOUT) > 0) {
            throw r.invalid("requestTimeout", "must lie within 50ms..10s, got " + requestTimeout.toMillis() + "ms");
        }
        this.fallback = r.parsed("fallback", SipTlsConfiguration::fallback).orElse(Fallback.FULL);
        this.registrationExpiry = r.parsed("registrationExpiry", SipTlsConfiguration::duration)
                .orElse(Duration.ofMinutes(10));
        if (registrationExpiry.toSeconds() < 1) {
            throw r.invalid("registrationExpiry", "must be at least 1s");
        }
        this.bindAddress = r.optional("bindAddress").orElse(null);
        this.keepAliveInterval = r.parsed("keepAliveInterval", SipTlsConfiguration::duration)
                .orElse(Duration.ofSeconds(15));
        within(r, "keepAliveInterval", keepAliveInterval, MIN_KEEP_ALIVE, MAX_KEEP_ALIVE_INTERVAL);
        this.keepAliveTimeout = r.parsed("keepAliveTimeout", SipTlsConfiguration::duration)
                .orElse(Duration.ofSeconds(5));
        within(r, "keepAliveTimeout", keepAliveTimeout, MIN_KEEP_ALIVE, MAX_KEEP_ALIVE_TIMEOUT);
        this.awaitRegistration = r.parsed("awaitRegistration", SipTlsConfiguration::durationOrZero)
                .orElse(Duration.ZERO);
        within(r, "awaitRegistration", awaitRegistration, Duration.ZERO, MAX_AWAIT_REGISTRATION);
        KeyStore keys = r.store("keyStore", true);
        KeyStore trust = r.store("trustStore", false);
        char[] password = r.password("keyStorePassword", true);
        try {
            this.identity = TlsIdentity.of(keys, password, trust);
        } catch (GeneralSecurityException e) {
            throw r.invalid("keyStore", e.getMessage());
        } finally {
            Arrays.fill(password, '\0');
        }
        if (!CertificateNames.provesAor(identity.certificate(), aor)) {
            throw r.invalid("keyStore", "its certificate (" + identity.certificate().getSubjectX500Principal().getName()
                    + ") does not prove " + aor + ": it needs a subjectAltName URI " + aor);
        }
    }

    /**
     * Reads a properties file (UTF-8).
     *
     * @throws IllegalArgumentException naming the file and the key at fault, if anything is missing or wrong
     *                                  (an unreadable key store included)
     */
    public static SipTlsConfiguration load(Path file) {
        Objects.requireNonNull(file, "file");
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read SIP-TLS configuration " + file + ": " + e.getMessage(), e);
        }
        Path base = file.toAbsolutePath().getParent();
        return from(properties, base, file.toString());
    }

    /**
     * The configuration these properties describe; relative store paths are resolved against {@code baseDir}.
     *
     * @throws IllegalArgumentException as {@link #load(Path)}
     */
    public static SipTlsConfiguration fromProperties(Properties properties, Path baseDir) {
        return from(properties, baseDir, "properties");
    }

    private static SipTlsConfiguration from(Properties properties, Path baseDir, String source) {
        Reading reading = new Reading(properties, baseDir, source);
        try {
            return new SipTlsConfiguration(source, reading);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** Where it was read from (a file name), for messages. */
    public String source() {
        return source;
    }

    public String aor() {
        return aor;
    }

    /** The key servers as {@code host:port}s, in the order the agent tries them; empty when given by SRV. */
    public List<HostPort> keyServers() {
        return keyServers;
    }

    /** The SRV name the key servers are looked up by ({@code keyServer=srv:...}), if so given. */
    public Optional<String> keyServerSrv() {
        return Optional.ofNullable(keyServerSrv);
    }

    /** The DNS server SRV lookups go to ({@code dns://host[:port]}); empty: the system's. */
    public Optional<String> keyServerResolver() {
        return Optional.ofNullable(keyServerResolver);
    }

    /** What every key server's certificate must prove; empty: each entry's host (SRV: each target's). */
    public Optional<String> keyServerName() {
        return Optional.ofNullable(keyServerName);
    }

    /** The key servers as configured, for messages. */
    public String describeKeyServers() {
        return keyServerSrv != null ? SRV_PREFIX + keyServerSrv
                + (keyServerResolver == null ? "" : " via " + keyServerResolver)
                : keyServers.stream().map(HostPort::toString).collect(java.util.stream.Collectors.joining(","));
    }

    /** The {@code host:port}s served as a TLS server; empty for a pure client. */
    public List<HostPort> serve() {
        return serve;
    }

    /** The {@code host:port}s whose SAs are obtained once the agent is registered; empty for none. */
    public List<HostPort> prefetch() {
        return prefetch;
    }

    /**
     * The TLS versions, most preferred first ({@code TLSv1.3}, {@code TLSv1.2} unless configured): those of the SAs
     * this peer accepts, and the SIP-TLS contexts' default enabled protocols. Never empty.
     */
    public List<String> protocols() {
        return protocols;
    }

    /** The configured suites; empty when the default (TLS 1.3 suites, then the context's issuable TLS 1.2 ones) applies. */
    public List<String> suites() {
        return suites;
    }

    public Optional<Duration> maxLifetime() {
        return Optional.ofNullable(maxLifetime);
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Fallback fallback() {
        return fallback;
    }

    public Duration registrationExpiry() {
        return registrationExpiry;
    }

    public Optional<String> bindAddress() {
        return Optional.ofNullable(bindAddress);
    }

    /** Silence on the key-server connection after which the agent probes it. */
    public Duration keepAliveInterval() {
        return keepAliveInterval;
    }

    /** How long a probe may go unanswered before the key server counts as lost. */
    public Duration keepAliveTimeout() {
        return keepAliveTimeout;
    }

    /** How long {@code SSLContext.init} waits for the agent to register; zero: it does not wait. */
    public Duration awaitRegistration() {
        return awaitRegistration;
    }

    /** The agent's identity for the key server (key, chain and trust anchors). */
    public TlsIdentity identity() {
        return identity;
    }

    @Override
    public String toString() {
        return "SipTlsConfiguration[" + source + ": aor=" + aor + ", keyServer=" + describeKeyServers()
                + (keyServerName == null ? "" : " (" + keyServerName + ")") + ", serve=" + serve + (prefetch.isEmpty() ? "" : ", prefetch=" + prefetch) + ", protocols=" + protocols + ", suites=" + (suites.isEmpty() ? "default" : suites)
                + ", maxLifetime=" + (maxLifetime == null ? "-" : maxLifetime.getSeconds() + "s")
                + ", requestTimeout=" + requestTimeout.toMillis() + "ms, fallback="
                + fallback.name().toLowerCase(Locale.ROOT) + ", registrationExpiry=" + registrationExpiry.getSeconds()
                + "s]";
    }

    /** {@code keyServer=srv:<name>}: the key servers are that name's DNS SRV records. */
    static final String SRV_PREFIX = "srv:";

    private static HostPort keyServerEntry(String text) {
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not host:port (" + e.getMessage()
                    + "); give host:port[,host:port...] or srv:<SRV name>");
        }
    }

    /** The agent's builder checks SRV names and resolver URLs; here only so that a bad one fails at load. */
    private static String srvName(String name) {
        SipTlsAgent.builder().keyServerSrv(name);
        return name;
    }

    private static String resolver(String url) {
        SipTlsAgent.builder().dnsResolver(url);
        return url;
    }

    /** {@code 30} (seconds), {@code 500ms}, {@code 2s}, {@code 10m}, {@code 1h}, or ISO-8601 {@code PT2S}. */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                return positive(Duration.parse(t.toUpperCase(Locale.ROOT)), text);
            }
            if (t.endsWith("ms")) {
                return positive(Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim())), text);
            }
            char unit = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
            String number = Character.isDigit(unit) ? t : t.substring(0, t.length() - 1).trim();
            long n = Long.parseLong(number);
            return positive(switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> {
                    if (!Character.isDigit(unit)) {
                        throw new IllegalArgumentException("unknown unit '" + unit + "'");
                    }
                    yield Duration.ofSeconds(n);
                }
            }, text);
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("not a duration (e.g. 30, 500ms, 2s, 10m, 1h): " + text);
        }
    }

    /** A {@link #duration}, or zero ({@code 0}, {@code 0s}, {@code 0ms}). */
    static Duration durationOrZero(String text) {
        return text.trim().matches("0+\\s*(ms|s|m|h)?") ? Duration.ZERO : duration(text);
    }

    private static void within(Reading r, String key, Duration d, Duration min, Duration max) {
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw r.invalid(key, "must lie within " + min.toMillis() + "ms.." + max.toSeconds() + "s, got "
                    + d.toMillis() + "ms");
        }
    }

    private static Duration positive(Duration d, String text) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("must be positive: " + text);
        }
        return d;
    }

    private static Duration lifetime(Reading r, Duration d) {
        if (d.getNano() != 0) {
            throw r.invalid("maxLifetime", "must be whole seconds, got " + d.toMillis() + "ms");
        }
        if (d.compareTo(SecurityAssociation.MAX_LIFETIME) > 0) {
            throw r.invalid("maxLifetime", "must be at most " + SecurityAssociation.MAX_LIFETIME.getSeconds() + "s");
        }
        return d;
    }

    private static String suite(String name) {
        if (!CipherSuites.isKnown(name)) {
            throw new IllegalArgumentException("unknown or not distributable cipher suite " + name
                    + " (SIP-TLS knows " + CipherSuites.names() + ")");
        }
        return name;
    }

    private static String protocol(String name) {
        if (!CipherSuites.isKnownVersion(name)) {
            throw new IllegalArgumentException("unknown TLS version " + name + " (SIP-TLS knows "
                    + String.join(", ", CipherSuites.PROTOCOL_VERSIONS) + ")");
        }
        return name;
    }

    private static Fallback fallback(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "full" -> Fallback.FULL;
            case "fail" -> Fallback.FAIL;
            default -> throw new IllegalArgumentException("must be 'full' or 'fail', got '" + text + "'");
        };
    }

    /** The properties being read, with messages that name the source and the key. */
    private static final class Reading {
        private final Properties properties;
        private final Path baseDir;
        private final String source;

        Reading(Properties properties, Path baseDir, String source) {
            this.properties = properties;
            this.baseDir = baseDir;
            this.source = source;
            Set<String> unknown = new TreeSet<>(properties.stringPropertyNames());
            unknown.removeAll(KEYS);
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException(source + ": unknown SIP-TLS configuration key(s) " + unknown
                        + "; known keys: " + new TreeSet<>(KEYS));
            }
        }

        Optional<String> optional(String key) {
            String value = properties.getProperty(key);
            return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
        }

        String required(String key) {
            return optional(key).orElseThrow(() -> missing(key));
        }

        <T> Optional<T> parsed(String key, Function<String, T> parser) {
            Optional<String> text = optional(key);
            if (text.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(parser.apply(text.get()));
            } catch (IllegalArgumentException e) {
                throw invalid(key, e.getMessage());
            }
        }

        <T> List<T> list(String key, String text, Function<String, T> parser) {
            Set<T> items = new LinkedHashSet<>();
            for (String item : text.split(",")) {
                if (item.isBlank()) {
                    continue;
                }
                try {
                    if (!items.add(parser.apply(item.trim()))) {
                        throw new IllegalArgumentException("listed twice: " + item.trim());
                    }
                } catch (IllegalArgumentException e) {
                    throw invalid(key, e.getMessage());
                }
            }
            return List.copyOf(new ArrayList<>(items));
        }

        /** The password of {@code key}, from the file or the environment variable {@code key.env}. */
        char[] password(String key, boolean required) {
            Optional<String> direct = optional(key);
            Optional<String> variable = optional(key + ".env");
            if (direct.isPresent() && variable.isPresent()) {
                throw invalid(key, "give " + key + " or " + key + ".env, not both");
            }
            if (variable.isPresent()) {
                String value = System.getenv(variable.get());
                if (value == null) {
                    throw invalid(key + ".env", "environment variable " + variable.get() + " is not set");
                }
                return value.toCharArray();
            }
            if (direct.isPresent()) {
                return properties.getProperty(key).toCharArray(); // untrimmed: spaces may be part of it
            }
            if (required) {
                throw missing(key + "' or '" + key + ".env");
            }
            return null;
        }

        KeyStore store(String key, boolean withKey) throws IOException {
            Path file = baseDir == null ? Path.of(required(key)) : baseDir.resolve(required(key));
            String type = optional(key + "Type").orElse("PKCS12");
            char[] password = password(key + "Password", withKey);
            try (InputStream in = Files.newInputStream(file)) {
                KeyStore store = KeyStore.getInstance(type);
                store.load(in, password);
                return store;
            } catch (IOException | GeneralSecurityException e) {
                // KeyStore.load names no password, but may name the file: keep our own words
                throw invalid(key, "cannot load " + type + " key store " + file + " ("
                        + e.getClass().getSimpleName() + (isWrongPassword(e) ? ": wrong password?" : "") + ")");
            } finally {
                if (password != null) {
                    Arrays.fill(password, '\0');
                }
            }
        }

        private static boolean isWrongPassword(Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.security.UnrecoverableKeyException
                        || t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("password")) {
                    return true;
                }
            }
            return false;
        }

        IllegalArgumentException missing(String key) {
            return new IllegalArgumentException(source + ": '" + key + "' is required");
        }

        IllegalArgumentException invalid(String key, String why) {
            return new IllegalArgumentException(source + ": '" + key + "' " + why);
        }
    }
}
