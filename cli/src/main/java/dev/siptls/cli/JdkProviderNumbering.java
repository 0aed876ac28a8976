package dev.siptls.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a provider goes in the JDK's list: one more than the highest {@code security.provider.N} of the running
 * JDK's own {@code conf/security/java.security}. The JDK stops reading the list at the first missing number, so a
 * line that leaves a gap is silently ignored; one that reuses a number replaces the JDK's provider.
 */
final class JdkProviderNumbering {

    private static final Pattern PROVIDER_KEY = Pattern.compile("security\\.provider\\.(\\d+)");

    private JdkProviderNumbering() {
    }

    /** The running JDK's own java.security file. */
    static Path jdkJavaSecurity() {
        return Path.of(System.getProperty("java.home"), "conf", "security", "java.security");
    }

    /** One more than the highest {@code security.provider.N} in {@code javaSecurity}. */
    static int next(Path javaSecurity) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(javaSecurity)) {
            properties.load(in);
        }
        int highest = 0;
        for (String key : properties.stringPropertyNames()) {
            Matcher m = PROVIDER_KEY.matcher(key);
            if (m.matches()) {
                highest = Math.max(highest, Integer.parseInt(m.group(1)));
            }
        }
        return highest + 1;
    }
}
