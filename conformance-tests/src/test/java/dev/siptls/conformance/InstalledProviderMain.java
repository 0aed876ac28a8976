package dev.siptls.conformance;

import dev.siptls.provider.SipTlsHealth;
import dev.siptls.provider.SipTlsProvider;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * What an application sees in a JVM where SipTls was installed through java.security only: it asks for
 * {@code SSLContext.getInstance("SIP-TLS")} and nothing else, initialises it, and prints the provider's health.
 * Run by {@link InstallationTest} in a child JVM; exit code 0 when healthy. With the argument {@code return} it
 * simply returns from {@code main} once healthy, closing nothing, as most applications do: the JVM must still exit.
 */
public final class InstalledProviderMain {

    private InstalledProviderMain() {
    }

    public static void main(String[] args) throws Exception {
        SSLContext context = SSLContext.getInstance("SIP-TLS");
        System.out.println("SSLContext " + context.getProtocol() + " from provider " + context.getProvider().getName()
                + " (" + context.getProvider().getClass().getName() + ")");
        SipTlsProvider provider = (SipTlsProvider) context.getProvider();
        if (args.length > 0 && "return".equals(args[0])) {
            context.init(null, null, null);
            System.out.println("healthy: " + provider.assertHealthy(Duration.ofSeconds(30)));
            System.out.println("main returns");
            return;
        }
        int status;
        try {
            context.init(null, null, null); // starts the provider's agent
            SipTlsHealth health = provider.assertHealthy(Duration.ofSeconds(30));
            System.out.println("healthy: " + health);
            status = 0;
        } catch (IllegalStateException unhealthy) {
            System.out.println("unhealthy: " + unhealthy.getMessage());
            status = 1;
        } finally {
            provider.close();
        }
        System.exit(status);
    }
}
