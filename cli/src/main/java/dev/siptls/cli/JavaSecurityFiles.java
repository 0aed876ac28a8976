package dev.siptls.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The security properties a JVM starts with, read the way JDK 17's {@code java.security.Security} reads them:
 * the JDK's own {@code conf/security/java.security} first; then, only if that file sets
 * {@code security.overridePropertiesFile=true}, the file named by {@code -Djava.security.properties}, whose
 * values win; a value starting with {@code =} (as in {@code -Djava.security.properties==FILE}) drops the JDK's
 * file first. {@code ${property}} in the name is expanded; a name that is no file is tried as a URL; a file that
 * cannot be read is skipped without a word (only {@code -Djava.security.debug=properties} tells). If nothing
 * could be read, the JDK falls back to six built-in providers.
 *
 * <p>Unlike the JDK, it remembers where each value came from and which provider keys were defined twice, so that
 * the check can say so.
 */
final class JavaSecurityFiles {

    /** The JDK's own providers when it finds no properties file at all ({@code Security.initializeStatic}). */
    private static final List<String> STATIC_PROVIDERS = List.of("sun.security.provider.Sun",
            "sun.security.rsa.SunRsaSign", "sun.security.ssl.SunJSSE", "com.sun.crypto.provider.SunJCE",
            "sun.security.jgss.SunProvider", "com.sun.security.sasl.Provider");

    /** A provider key defined twice: in two files (the later one wins) or twice in one file (the last one wins). */
    record Redefinition(String key, String firstSource, String firstValue, String laterSource, String laterValue) {
        boolean withinOneFile() {
            return firstSource.equals(laterSource);
        }
    }

    /** What became of the {@code -Djava.security.properties} file. */
    enum ExtraFile { NONE, READ, IGNORED_BY_JDK_FILE, UNREADABLE }

    private final Path jdkFile;
    private final boolean jdkFileRead;
    private final String extraSpec;
    private final boolean replaces;
    private final ExtraFile extra;
    private final String extraProblem;
    private final boolean staticDefaults;
    private final Map<String, String> properties;
    private final Map<String, String> origin;
    private final List<Redefinition> redefinitions;

    private JavaSecurityFiles(Builder b) {
        this.jdkFile = b.jdkFile;
        this.jdkFileRead = b.jdkFileRead;
        this.extraSpec = b.extraSpec;
        this.replaces = b.replaces;
        this.extra = b.extra;
        this.extraProblem = b.extraProblem;
        this.staticDefaults = b.staticDefaults;
        this.properties = Map.copyOf(b.properties);
        this.origin = Map.copyOf(b.origin);
        this.redefinitions = List.copyOf(b.redefinitions);
    }

    /** The JDK's {@code conf/security/java.security} under {@code javaHome}. */
    static Path jdkFile(Path javaHome) {
        return javaHome.resolve("conf").resolve("security").resolve("java.security");
    }

    /** The running JDK's own java.security, read alone. */
    static JavaSecurityFiles runningJdk() {
        return read(jdkFile(Path.of(System.getProperty("java.home"))), null);
    }

    /**
     * Reads {@code jdkFile}, then {@code extraSpec} as the value of {@code -Djava.security.properties} would be
     * read ({@code null}: none).
     */
    static JavaSecurityFiles read(Path jdkFile, String extraSpec) {
        Builder b = new Builder(jdkFile, extraSpec);
        String jdkName = jdkFile.toString();
        if (Files.isRegularFile(jdkFile)) {
            try (InputStream in = Files.newInputStream(jdkFile)) {
                b.load(in, jdkName);
                b.jdkFileRead = true;
            } catch (IOException e) {
                b.jdkFileRead = false;
            }
        }
        if (extraSpec != null) {
            if (!"true".equalsIgnoreCase(b.properties.get("security.overridePropertiesFile"))) {
                b.extra = ExtraFile.IGNORED_BY_JDK_FILE;
            } else {
                String spec = extraSpec;
                if (spec.startsWith("=")) {
                    b.replaces = true;
                    spec = spec.substring(1);
                    b.properties.clear();
                    b.origin.clear();
                    b.redefinitions.clear();
                }
                try {
                    String expanded = expand(spec);
                    try (InputStream in = open(expanded)) {
                        b.load(in, expanded);
                    }
                    b.extra = ExtraFile.READ;
                } catch (IOException | IllegalArgumentException e) {
                    b.extra = ExtraFile.UNREADABLE;
                    b.extraProblem = e.getMessage();
                }
            }
        }
        if (!b.jdkFileRead && b.extra != ExtraFile.READ) {
            b.properties.clear();
            for (int i = 0; i < STATIC_PROVIDERS.size(); i++) {
                b.properties.put("security.provider." + (i + 1), STATIC_PROVIDERS.get(i));
                b.origin.put("security.provider." + (i + 1), "the JDK's built-in defaults");
            }
            b.staticDefaults = true;
        }
        return new JavaSecurityFiles(b);
    }

    /** As the JDK opens it: a file if there is one by that name, else a URL. */
    private static InputStream open(String name) throws IOException {
        File file = new File(name);
        if (file.exists()) {
            return Files.newInputStream(file.toPath());
        }
        URL url;
        try {
            url = new URL(name);
        } catch (MalformedURLException e) {
            throw new IOException("there is no file " + file.getAbsolutePath());
        }
        try {
            return url.openStream();
        } catch (IOException e) {
            throw new IOException("cannot read " + url + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]*)}");

    /** {@code ${name}} replaced by the system property, as the JDK's {@code PropertyExpander} does. */
    static String expand(String text) {
        Matcher m = PROPERTY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = System.getProperty(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("${" + m.group(1) + "} names no system property");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    Path jdkFile() {
        return jdkFile;
    }

    boolean jdkFileRead() {
        return jdkFileRead;
    }

    /** The {@code -Djava.security.properties} value given, as given; empty if none. */
    Optional<String> extraSpec() {
        return Optional.ofNullable(extraSpec);
    }

    ExtraFile extra() {
        return extra;
    }

    /** Why the extra file could not be read. */
    String extraProblem() {
        return extraProblem;
    }

    /** Whether the extra file replaced the JDK's ({@code ==}) rather than adding to it. */
    boolean replaces() {
        return replaces;
    }

    /** Whether no file could be read, so that the JDK's built-in provider list applies. */
    boolean staticDefaults() {
        return staticDefaults;
    }

    /** The properties as the JVM sees them. */
    Map<String, String> properties() {
        return properties;
    }

    /** The file a key's value came from. */
    String origin(String key) {
        return origin.getOrDefault(key, "?");
    }

    /** Provider keys defined twice, in the order met. */
    List<Redefinition> redefinitions() {
        return redefinitions;
    }

    private static final class Builder {
        final Path jdkFile;
        final String extraSpec;
        boolean jdkFileRead;
        boolean replaces;
        ExtraFile extra = ExtraFile.NONE;
        String extraProblem;
        boolean staticDefaults;
        final Map<String, String> properties = new LinkedHashMap<>();
        final Map<String, String> origin = new LinkedHashMap<>();
        final List<Redefinition> redefinitions = new ArrayList<>();

        Builder(Path jdkFile, String extraSpec) {
            this.jdkFile = jdkFile;
            this.extraSpec = extraSpec;
        }

        /** Loads one file with {@link Properties}' own syntax, noting every provider key it redefines. */
        void load(InputStream in, String source) throws IOException {
            Properties file = new Properties() {
                @Override
                public synchronized Object put(Object key, Object value) {
                    note(key.toString(), value.toString(), source);
                    return super.put(key, value);
                }
            };
            file.load(in);
        }

        private void note(String key, String value, String source) {
            String earlier = properties.get(key);
            if (earlier != null && ProviderEntries.isProviderKey(key) && !earlier.trim().equals(value.trim())) {
                redefinitions.add(new Redefinition(key, origin.get(key), earlier.trim(), source, value.trim()));
            }
            properties.put(key, value);
            origin.put(key, source);
        }
    }
}
