package dev.siptls.provider;

import org.bouncycastle.jsse.BCExtendedSSLSession;
import org.bouncycastle.jsse.BCSNIServerName;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.bouncycastle.tls.AbstractTlsServer;
import org.bouncycastle.tls.NameType;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.ServerName;
import org.bouncycastle.tls.SessionID;
import org.bouncycastle.tls.TlsServerContext;
import org.bouncycastle.tls.TlsSession;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.SoftReference;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/**
 * Makes BCJSSE's session caches read through to security associations. The one class that touches
 * {@code org.bouncycastle.jsse.provider} internals, measured against bctls {@value #REQUIRED_BCTLS}.
 *
 * <p>BCJSSE has no API to add a session to its caches. Its {@code ProvSSLSessionContext} looks sessions up
 * in two maps, always under its own lock: a server by session ID in {@code sessionsByID}
 * ({@code getSessionImpl(byte[])}), a client by lower-case {@code "host:port"} in {@code sessionsByPeer}
 * ({@code getSessionImpl(String, int)}). The bridge replaces the map a side looks up in with a
 * {@link ReadThroughMap} over the original: where the original has no live session for the key, the
 * lookup function builds a {@link ResumableSession} from an SA, and the bridge wraps it in a new
 * {@code ProvSSLSession} and {@code SessionEntry} that are handed to that one lookup and never stored. The
 * session carries the SA's id as its {@value SipTlsProvider#SESSION_VALUE_ASSOCIATION} value, which tells
 * SA-built sessions apart from those of full handshakes.
 * A resumption that fails (and so destroys that session's master secret) thus costs nothing but that
 * session: the next lookup builds another one. Sessions from full handshakes are cached as before.
 *
 * <p>A server's lookup by id is given no connection, yet an SA is resumed only at its binding; so the bridge also
 * reads, for the connection {@link AcceptedConnection} names on the handshaking thread, the host name its
 * ClientHello asked for ({@link #requestedHostName}): BCJSSE has parsed the extensions into the handshake's
 * {@code SecurityParameters} before it looks the session up, and keeps that context in its server peer.
 *
 * <p>{@link #forInstalledBctls()} checks every member the bridge touches and fails with a message that
 * names the bctls version found, so a wrong bctls fails at start-up, not in a handshake.
 */
final class BcjsseSessionBridge {

    /** The bctls version whose internals the bridge was written against. */
    static final String REQUIRED_BCTLS = "1.84";

    private static final System.Logger LOG = System.getLogger(BcjsseSessionBridge.class.getName());
    private static final String PACKAGE = "org.bouncycastle.jsse.provider.";
    static final String BCTLS_POM_PROPERTIES = "META-INF/maven/org.bouncycastle/bctls-jdk18on/pom.properties";
    /** A bctls other than the one measured is said once per JVM, not at every context's init. */
    private static final AtomicBoolean VERSION_WARNED = new AtomicBoolean();

    private final Class<?> contextClass;
    private final Field sessionsById;
    private final Field sessionsByPeer;
    private final Constructor<?> newEntry;
    private final Constructor<?> newSession;
    private final Constructor<?> newJsseParameters;
    /** Each BCJSSE connection class's field holding its TLS peer (a server's is an {@link AbstractTlsServer}). */
    private final Map<Class<?>, Field> protocolPeers;
    private final Field serverContext;
    private final ClassValue<Field> protocolPeerOf = new ClassValue<>() {
        @Override
        protected Field computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                Field field = protocolPeers.get(c);
                if (field != null) {
                    return field;
                }
            }
            return null;
        }
    };

    private BcjsseSessionBridge(ClassLoader loader) throws ReflectiveOperationException {
        contextClass = load(loader, "ProvSSLSessionContext", SSLSessionContext.class);
        Class<?> session = load(loader, "ProvSSLSession", SSLSession.class);
        Class<?> entry = load(loader, "ProvSSLSessionContext$SessionEntry", SoftReference.class);
        Class<?> jsseParameters = load(loader, "JsseSessionParameters", Object.class);
        sessionsById = mapField("sessionsByID", SessionID.class, entry);
        sessionsByPeer = mapField("sessionsByPeer", String.class, entry);
        requireLookup(session, byte[].class);
        requireLookup(session, String.class, int.class);
        newEntry = accessible(entry.getDeclaredConstructor(SessionID.class, session, ReferenceQueue.class));
        newSession = accessible(session.getDeclaredConstructor(contextClass, ConcurrentHashMap.class, String.class,
                int.class, long.class, TlsSession.class, jsseParameters));
        newJsseParameters = accessible(jsseParameters.getDeclaredConstructor(String.class, BCSNIServerName.class));
        Class<?> peer = load(loader, "ProvTlsPeer", Object.class);
        Map<Class<?>, Field> peers = new HashMap<>();
        for (String connection : List.of("ProvSSLSocketDirect", "ProvSSLSocketWrap", "ProvSSLEngine")) {
            Class<?> c = load(loader, connection, Object.class);
            peers.put(c, typedField(c, "protocolPeer", peer));
        }
        protocolPeers = Map.copyOf(peers);
        serverContext = typedField(AbstractTlsServer.class, "context", TlsServerContext.class);
    }

    /**
     * Resolves and checks every BCJSSE member the bridge uses.
     *
     * @throws IllegalStateException naming the bctls version found and the one needed, if any differs
     */
    static BcjsseSessionBridge forInstalledBctls() {
        return forBctlsIn(BouncyCastleJsseProvider.class.getClassLoader());
    }

    /** As {@link #forInstalledBctls()}, with the BCJSSE classes that {@code loader} finds. */
    static BcjsseSessionBridge forBctlsIn(ClassLoader loader) {
        BcjsseSessionBridge bridge;
        try {
            bridge = new BcjsseSessionBridge(loader);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("SIP-TLS needs bctls " + REQUIRED_BCTLS + " but found bctls "
                    + bctlsVersion() + ", whose BCJSSE session cache differs (" + e + "). Put bctls-jdk18on-"
                    + REQUIRED_BCTLS + ".jar on the class path (on the module path, also --add-opens "
                    + "org.bouncycastle.tls/org.bouncycastle.jsse.provider=<the SIP-TLS module or ALL-UNNAMED> and "
                    + "org.bouncycastle.tls/org.bouncycastle.tls=<the same>)",
                    e);
        }
        String found = bctlsVersion();
        if (!REQUIRED_BCTLS.equals(found) && VERSION_WARNED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "bctls {0} found, SIP-TLS was measured against {1}; its session "
                    + "cache members match, resumption should still work", found, REQUIRED_BCTLS);
        }
        return bridge;
    }

    /**
     * What one session context of a SIP-TLS context reads from its SAs: sessions by id (a server's resumptions, and
     * either side's {@code getSession(id)}), the ids to list, and the application's invalidations; and the age
     * beyond which no session of the context, native or SA-made, is resumed.
     */
    interface Lookups {
        /** A fresh session for the live SA with this id, if this side holds one. */
        Optional<ResumableSession> byId(byte[] sessionId);

        /** The session ids of the live SAs this side holds. */
        List<byte[]> ids();

        /** The application invalidated the session with this id, which no cached entry holds: an SA's. */
        void invalidated(byte[] sessionId);

        /** The longest a session of this context may be resumed after its creation, in milliseconds. */
        long maxAgeMillis();
    }

    /**
     * Makes {@code context}'s id lookups and listing read through to {@code lookups} and bounds the age of every
     * session it resumes by peer or by id.
     */
    void attach(SSLSessionContext context, Lookups lookups) {
        if (!contextClass.isInstance(context)) {
            throw new IllegalArgumentException("not a BCJSSE session context: " + context.getClass().getName());
        }
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        Predicate<Object> live = entry -> isLive(entry, context, lookups.maxAgeMillis());
        synchronized (context) { // BCJSSE's own cache lock
            replace(sessionsById, context, byId -> new ReadThroughMap<>(byId, live,
                    key -> lookups.byId(((SessionID) key).getBytes()).map(s -> newEntry(context, s, queue)).orElse(null),
                    () -> lookups.ids().stream().<Object>map(SessionID::new).toList(),
                    key -> lookups.invalidated(((SessionID) key).getBytes())));
            replace(sessionsByPeer, context, byPeer -> new ReadThroughMap<>(byPeer, live, key -> null, List::of,
                    key -> { }));
        }
    }

    /**
     * Client side: a session for {@code s} in {@code clientContext}, to be offered by one connection
     * ({@code setBCSessionToResume}) without entering the context's cache or its lock.
     */
    BCExtendedSSLSession clientSession(SSLSessionContext clientContext, ResumableSession s) {
        try {
            return (BCExtendedSSLSession) newSession(clientContext, s);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot build a BCJSSE session; full handshake instead", e);
            return null;
        }
    }

    /**
     * Server side: the host name (SNI) that the ClientHello being processed on {@code connection}, a BCJSSE
     * socket or engine, asks for; empty if it sent none, or if {@code connection} is not one of BCJSSE's.
     */
    Optional<String> requestedHostName(Object connection) {
        Field peerField = protocolPeerOf.get(connection.getClass());
        if (peerField == null) {
            return Optional.empty();
        }
        try {
            if (!(peerField.get(connection) instanceof AbstractTlsServer server)
                    || !(serverContext.get(server) instanceof TlsServerContext context)) {
                return Optional.empty();
            }
            SecurityParameters handshake = context.getSecurityParametersHandshake();
            List<?> names = handshake == null || handshake.getClientServerNames() == null ? List.of()
                    : handshake.getClientServerNames();
            for (Object name : names) {
                if (name instanceof ServerName serverName && serverName.getNameType() == NameType.host_name) {
                    return Optional.of(new String(serverName.getNameData(), StandardCharsets.US_ASCII));
                }
            }
            return Optional.empty();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read the ClientHello's server name from " + connection, e);
        }
    }

    /**
     * The bctls version on the class path: its module's version, else what the jar that holds BCJSSE says
     * ({@link #versionIn}).
     */
    static String bctlsVersion() {
        Class<?> c = BouncyCastleJsseProvider.class;
        Optional<String> moduleVersion = c.getModule().isNamed()
                ? c.getModule().getDescriptor().rawVersion() : Optional.empty();
        if (moduleVersion.isPresent()) {
            return moduleVersion.get();
        }
        try {
            CodeSource source = c.getProtectionDomain().getCodeSource();
            File jar = new File(source.getLocation().toURI());
            try (JarFile file = new JarFile(jar)) {
                Optional<String> version = versionIn(file);
                if (version.isPresent()) {
                    return version.get();
                }
            }
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read the bctls version from its jar", e);
        }
        return "of unknown version";
    }

    /**
     * The bctls version a jar holding BCJSSE states: bctls's own jar in its manifest ({@code Bundle-Version} of
     * bundle {@code bctls}); a shaded jar, whose manifest is its application's, in Maven's
     * {@value #BCTLS_POM_PROPERTIES} (which the sip-tls.jar build writes).
     */
    static Optional<String> versionIn(JarFile jar) throws IOException {
        Manifest manifest = jar.getManifest();
        if (manifest != null && "bctls".equals(manifest.getMainAttributes().getValue("Bundle-SymbolicName"))) {
            String version = manifest.getMainAttributes().getValue("Bundle-Version");
            if (version != null) {
                return Optional.of(version.trim());
            }
        }
        JarEntry entry = jar.getJarEntry(BCTLS_POM_PROPERTIES);
        if (entry != null) {
            Properties pom = new Properties();
            try (InputStream in = jar.getInputStream(entry)) {
                pom.load(in);
            }
            String version = pom.getProperty("version");
            if (version != null && !version.isBlank()) {
                return Optional.of(version.trim());
            }
        }
        return Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private void replace(Field field, SSLSessionContext context,
                         Function<Map<Object, Object>, ReadThroughMap<Object, Object>> wrapper) {
        try {
            Map<Object, Object> cache = (Map<Object, Object>) field.get(context);
            if (cache instanceof ReadThroughMap) {
                throw new IllegalStateException("session bridge already attached to " + context);
            }
            field.set(context, wrapper.apply(cache));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot attach the session bridge to " + field, e);
        }
    }

    /**
     * A SessionEntry around a new ProvSSLSession. The entry holds the session only softly and BCJSSE takes
     * it the moment the lookup returns; a collection in between (only near memory exhaustion) costs a full
     * handshake, nothing more.
     */
    private Object newEntry(SSLSessionContext context, ResumableSession s, ReferenceQueue<Object> queue) {
        while (queue.poll() != null) {
            // entries are never stored; drop any the collector cleared
        }
        try {
            return newEntry.newInstance(new SessionID(s.tlsSession().getSessionID()), newSession(context, s), queue);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot build a BCJSSE session; full handshake instead", e);
            return null;
        }
    }

    /** A ProvSSLSession of {@code context} for {@code s}, whose values name its SA ({@link AssociationValues}). */
    private Object newSession(SSLSessionContext context, ResumableSession s) throws ReflectiveOperationException {
        Object parameters = newJsseParameters.newInstance(s.endpointIdAlgorithm(), null);
        return newSession.newInstance(context, new AssociationValues(s.associationId()), s.peerHost(), s.peerPort(),
                s.creationTime(), s.tlsSession(), parameters);
    }

    /**
     * Whether a cached entry still holds a session that may be resumed: present, valid, within the context's
     * timeout and within {@code maxAgeMillis} of its creation.
     */
    private static boolean isLive(Object entry, SSLSessionContext context, long maxAgeMillis) {
        Object referent = ((Reference<?>) entry).get();
        if (!(referent instanceof SSLSession session) || !session.isValid()) {
            return false;
        }
        long age = System.currentTimeMillis() - session.getCreationTime();
        int timeout = context.getSessionTimeout();
        return age <= maxAgeMillis && (timeout < 1 || age <= 1000L * timeout);
    }

    private static Class<?> load(ClassLoader loader, String name, Class<?> supertype) throws ClassNotFoundException {
        Class<?> c = Class.forName(PACKAGE + name, false, loader);
        if (!supertype.isAssignableFrom(c)) {
            throw new IllegalStateException(c.getName() + " is no longer a " + supertype.getName());
        }
        return c;
    }

    private Field mapField(String name, Class<?> keyType, Class<?> valueType) throws NoSuchFieldException {
        Field f = contextClass.getDeclaredField(name);
        Type type = f.getGenericType();
        boolean expected = type instanceof ParameterizedType
                && ((ParameterizedType) type).getRawType() == Map.class
                && Arrays.equals(((ParameterizedType) type).getActualTypeArguments(), new Type[]{keyType, valueType})
                && !Modifier.isStatic(f.getModifiers());
        if (!expected) {
            throw new IllegalStateException(f + " is no longer a Map<" + keyType.getSimpleName() + ", "
                    + valueType.getSimpleName() + ">");
        }
        return accessible(f);
    }

    private static Field typedField(Class<?> owner, String name, Class<?> type) throws NoSuchFieldException {
        Field f = owner.getDeclaredField(name);
        if (f.getType() != type || Modifier.isStatic(f.getModifiers())) {
            throw new IllegalStateException(f + " is no longer a " + type.getName());
        }
        return accessible(f);
    }

    private void requireLookup(Class<?> session, Class<?>... parameters) throws NoSuchMethodException {
        if (contextClass.getDeclaredMethod("getSessionImpl", parameters).getReturnType() != session) {
            throw new IllegalStateException("getSessionImpl" + Arrays.toString(parameters)
                    + " no longer returns " + session.getName());
        }
    }

    private static <T extends AccessibleObject> T accessible(T member) {
        member.setAccessible(true);
        return member;
    }
}
