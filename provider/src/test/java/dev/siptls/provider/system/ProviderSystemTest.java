package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.RegistrationState;
import dev.siptls.provider.SipTlsHealth;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.system.SipTlsWorld.Terminal;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.security.InvalidParameterException;
import java.security.KeyManagementException;
import java.security.Provider;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The provider as a deployer meets it: configuration, names, start-up check, lifecycle, JMX. */
@Timeout(60)
@ExtendWith(SharedWorld.class)
class ProviderSystemTest {

    @Test
    void healthReportsACompatibleBridgeAndARegisteredAgent(SipTlsWorld world) throws Exception {
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(client);

        SipTlsHealth health = client.provider().assertHealthy();

        assertTrue(health.healthy(), health::toString);
        assertTrue(health.bridgeCompatible(), health.bridgeMessage());
        assertEquals("1.84", health.bctlsVersion());
        assertEquals(RegistrationState.REGISTERED, health.registration());
        assertTrue(health.lastError().isEmpty());
    }

    @Test
    void assertHealthySaysWhyWhenTheKeyServerCannotBeReached(SipTlsWorld world) throws Exception {
        SipTlsProvider provider = world.provider(SipTlsWorld.aor("lonely"),
                Map.of("keyServer", "127.0.0.1:" + SipTlsWorld.freePort()));
        provider.start();

        IllegalStateException unhealthy = assertThrows(IllegalStateException.class, provider::assertHealthy);

        String aor = provider.configuration().orElseThrow().aor();
        assertTrue(unhealthy.getMessage().contains("the SIP agent " + aor + " is "), unhealthy.getMessage());
        assertNotSame(RegistrationState.REGISTERED, provider.health().registration());
    }

    @Test
    void unconfiguredProviderRefusesInitSayingHowToConfigureIt() throws Exception {
        SSLContext context = SSLContext.getInstance(SipTlsProvider.PROTOCOL, new SipTlsProvider());

        KeyManagementException refused = assertThrows(KeyManagementException.class,
                () -> context.init(null, null, null));

        assertTrue(refused.getMessage().contains("security.provider.N=SipTls /path/to/sip-tls.properties"),
                refused.getMessage());
        assertFalse(new SipTlsProvider().health().healthy());
    }

    @Test
    void providerRegistersOnlyTheSipTlsContext(SipTlsWorld world) throws Exception {
        for (Provider provider : List.of(new SipTlsProvider(), world.provider(SipTlsWorld.aor("names"), Map.of()))) {
            Set<String> services = provider.getServices().stream()
                    .map(s -> s.getType() + "." + s.getAlgorithm()).collect(Collectors.toSet());

            assertEquals(Set.of("SSLContext.SIP-TLS"), services);
            assertNull(provider.getService("SSLContext", "TLS"));
            assertNull(provider.getService("SSLContext", "Default"));
            assertEquals("SipTls", provider.getName());
        }
    }

    @Test
    void serviceLoaderFindsAnUnconfiguredProvider() {
        List<Provider> found = ServiceLoader.load(Provider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.getName().equals(SipTlsProvider.NAME)).toList();

        assertEquals(1, found.size());
        assertFalse(found.get(0).isConfigured());
    }

    @Test
    void configureReturnsANewConfiguredInstanceAndStartsNothing(SipTlsWorld world) throws Exception {
        SipTlsProvider unconfigured = new SipTlsProvider();
        String aor = SipTlsWorld.aor("configured");
        Path properties = world.properties(aor, Map.of());

        SipTlsProvider configured = (SipTlsProvider) unconfigured.configure(properties.toString());
        try (configured) {
            assertFalse(unconfigured.isConfigured());
            assertTrue(configured.isConfigured());
            assertEquals(aor, configured.configuration().orElseThrow().aor());
            assertEquals(RegistrationState.STOPPED, configured.health().registration());
            assertTrue(configured.health().lastError().orElseThrow().contains("not started"));
        }
    }

    @Test
    void configureRefusesAWrongFileNamingTheKeyAtFault(SipTlsWorld world) throws Exception {
        Path properties = world.properties(SipTlsWorld.aor("typo"), Map.of("keySever", "127.0.0.1:5061"));

        InvalidParameterException refused = assertThrows(InvalidParameterException.class,
                () -> new SipTlsProvider().configure(properties.toString()));

        assertTrue(refused.getMessage().contains(properties.toString()), refused.getMessage());
        assertTrue(refused.getMessage().contains("keySever"), refused.getMessage());
        assertFalse(refused.getMessage().contains(new String(dev.siptls.sip.testing.TestPki.PASSWORD)));
    }

    @Test
    void agentStartsAtTheFirstInitOfASipTlsContext(SipTlsWorld world) throws Exception {
        SipTlsProvider provider = world.provider(SipTlsWorld.aor("lazy"), Map.of());
        SSLContext context = SSLContext.getInstance(SipTlsProvider.PROTOCOL, provider);
        assertEquals(RegistrationState.STOPPED, provider.health().registration());

        context.init(null, world.trustingCa(), null);

        assertTrue(provider.assertHealthy(SipTlsWorld.REGISTERED_WITHIN).healthy());
    }

    @Test
    void closedProviderRefusesInitAndIsNoLongerInJmx(SipTlsWorld world) throws Exception {
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(client);
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.siptls:type=Provider,name="
                + ObjectName.quote(client.provider().configuration().orElseThrow().aor()));
        assertEquals("REGISTERED", jmx.getAttribute(name, "RegistrationState"));
        assertEquals(0L, jmx.getAttribute(name, "SipResumptionsAsClient"));

        client.provider().close();

        assertFalse(jmx.isRegistered(name));
        assertEquals(RegistrationState.STOPPED, client.provider().health().registration());
        SSLContext again = SSLContext.getInstance(SipTlsProvider.PROTOCOL, client.provider());
        KeyManagementException refused = assertThrows(KeyManagementException.class,
                () -> again.init(null, world.trustingCa(), null));
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
    }

    @Test
    void closeLeavesNoThreadBehind(SipTlsWorld world) throws Exception {
        warmUp(world); // class loading and BC's entropy thread, once per JVM
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            EchoClient.exchange(client.context(), "localhost", port, "threads");
            echo.next().handshaken();
        }

        world.closeTerminals();

        long deadline = System.nanoTime() + 5_000_000_000L;
        Set<String> left;
        do {
            left = newThreads(before);
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertEquals(Set.of(), left);
    }

    private static void warmUp(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            EchoClient.exchange(client.context(), "localhost", port, "warm-up");
            echo.next().handshaken();
        }
        world.closeTerminals();
        Thread.sleep(200);
    }

    /** Threads alive now that were not before, but for test machinery (the echo server's own threads). */
    private static Set<String> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive())
                .filter(t -> !t.getName().startsWith("echo-"))
                .map(Thread::getName).collect(Collectors.toSet());
    }
}
