package dev.siptls.cli;

import dev.siptls.protocol.HostPort;
import dev.siptls.provider.SipTlsConfiguration;
import dev.siptls.provider.SipTlsProvider;
import java.lang.management.ManagementFactory;
import java.security.Security;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * The SipTls provider as an application JVM sees it: installed or not (through java.security, as a deployer
 * installs it), and its counters on JMX (the provider's MXBean), read as an operator's tool would read them.
 */
final class InstalledProvider {

    static final String NAME = "SipTls";
    private static final String BEAN_PATTERN = "dev.siptls:type=Provider,*";

    private final MBeanServer server;
    private final ObjectName bean;

    private InstalledProvider(MBeanServer server, ObjectName bean) {
        this.server = server;
        this.bean = bean;
    }

    /** One line saying the provider is not installed and how to install it; empty if it is. */
    static Optional<String> notInstalled(String command) {
        if (Security.getProvider(NAME) != null) {
            return Optional.empty();
        }
        return Optional.of("sip-tls " + command + ": the " + NAME + " provider is not installed in this JVM: start it"
                + " with -Djava.security.properties=<enrolment>/java.security (written by sip-tls enroll);"
                + " `sip-tls check --java-security FILE` says why a fragment is not taken");
    }

    /** The {@code serve} entries of the installed, configured SipTls provider; empty if there is none. */
    static Optional<List<HostPort>> served() {
        return Security.getProvider(NAME) instanceof SipTlsProvider provider
                ? provider.configuration().map(SipTlsConfiguration::serve) : Optional.empty();
    }

    /** The provider's MXBean, registered once one of its contexts was initialized. */
    static Optional<InstalledProvider> bean() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            Set<ObjectName> names = server.queryNames(new ObjectName(BEAN_PATTERN), null);
            return names.size() == 1 ? Optional.of(new InstalledProvider(server, names.iterator().next()))
                    : Optional.empty();
        } catch (JMException e) {
            return Optional.empty();
        }
    }

    String addressOfRecord() {
        return String.valueOf(attribute("AddressOfRecord"));
    }

    String registrationState() {
        return String.valueOf(attribute("RegistrationState"));
    }

    /** Full or refused handshakes so far, by reason. */
    Map<String, Long> fallbacksByReason() {
        Map<String, Long> counts = new HashMap<>();
        if (attribute("FallbacksByReason") instanceof TabularData table) {
            for (Object row : table.values()) {
                CompositeData entry = (CompositeData) row;
                counts.put(String.valueOf(entry.get("key")), ((Number) entry.get("value")).longValue());
            }
        }
        return counts;
    }

    private Object attribute(String name) {
        try {
            return server.getAttribute(bean, name);
        } catch (JMException e) {
            return "?";
        }
    }
}
