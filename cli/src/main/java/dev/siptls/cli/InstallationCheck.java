package dev.siptls.cli;

import dev.siptls.provider.SipTlsProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Part 1 of {@code sip-tls check}: is SipTls in the provider list the JDK builds from the java.security files,
 * at which position, with which sip-tls.properties; and, when this JVM was started with the same files, did the
 * JDK really load it.
 */
final class InstallationCheck {

    private static final String CLASS = SipTlsProvider.class.getName();

    private final CheckReport report;

    InstallationCheck(CheckReport report) {
        this.report = report;
    }

    /**
     * Checks the files; {@code fromFlag}: the extra file was given with {@code --java-security}, not by this JVM's
     * {@code -Djava.security.properties}; {@code sameAsThisJvm}: this JVM was started with the same file.
     *
     * @return the argument of the SipTls entry (the sip-tls.properties path), if any entry names one, read or not
     */
    Optional<String> run(JavaSecurityFiles files, boolean fromFlag, boolean sameAsThisJvm) {
        // the file is named as the user gave it: a --java-security flag or this JVM's -Djava.security.properties
        String given = files.extraSpec().map(spec -> fromFlag ? "--java-security " + spec
                : "-Djava.security.properties=" + spec).orElse("");
        reportFiles(files, given);
        ProviderEntries entries = ProviderEntries.of(files.properties());
        report.info("providers as the JDK reads them: " + entries.listed().stream()
                .filter(l -> l.position() > 0)
                .map(l -> l.position() + " " + l.entry().name()).collect(Collectors.joining(", ")));
        reportRedefinitions(files);
        List<ProviderEntries.Listed> sipTls = entries.listed().stream()
                .filter(l -> isSipTls(l.entry().name()) && l.position() > 0).toList();
        reportGap(entries, files);
        reportNearMisses(entries);
        Optional<String> argument = Optional.empty();
        if (sipTls.isEmpty()) {
            if (entries.ignored().stream().noneMatch(e -> isSipTls(e.name()))) {
                report.fail("SipTls is not installed: no security.provider.N names SipTls or " + CLASS,
                        "add 'security.provider." + entries.gap() + "=SipTls /path/to/sip-tls.properties' to a file"
                                + " and start the JVM with -Djava.security.properties=FILE (check it here with"
                                + " --java-security FILE)");
            }
            argument = entries.ignored().stream().filter(e -> isSipTls(e.name()) && !e.argument().isEmpty())
                    .map(ProviderEntries.Entry::argument).findFirst();
        } else {
            ProviderEntries.Listed first = sipTls.get(0);
            report.ok("SipTls is provider " + first.position() + " of " + entries.size() + ": "
                    + first.entry().key() + "=" + first.entry().value() + " (from " + files.origin(first.entry().key()) + ")");
            if (sipTls.size() > 1) {
                report.warn("SipTls is listed " + sipTls.size() + " times (" + sipTls.stream()
                        .map(l -> l.entry().key()).collect(Collectors.joining(", ")) + "): the first one wins",
                        "keep one");
            }
            argument = Optional.of(first.entry().argument()).filter(a -> !a.isEmpty());
            reportArgument(first.entry());
            reportClassPath(first.entry());
        }
        if (sameAsThisJvm) {
            crossCheck(!sipTls.isEmpty() ? sipTls.get(0).position() : 0, files);
        } else {
            String own = System.getProperty("java.security.properties");
            report.info("this JVM was started " + (own == null ? "without -Djava.security.properties"
                    : "with -Djava.security.properties=" + own) + ", not with " + (given.isEmpty() ? "the JDK's file alone"
                    : given) + "; to check that the JDK really loads SipTls, run: java -Djava.security.properties="
                    + files.extraSpec().orElse("FILE") + " -jar sip-tls.jar check");
        }
        return argument;
    }

    static boolean isSipTls(String name) {
        return SipTlsProvider.NAME.equals(name) || CLASS.equals(name);
    }

    private void reportFiles(JavaSecurityFiles files, String given) {
        if (files.staticDefaults()) {
            report.warn("no java.security could be read (" + files.jdkFile() + "): the JDK uses its six built-in"
                    + " providers", "check the JDK installation");
        } else if (files.jdkFileRead()) {
            report.info("JDK java.security: " + files.jdkFile() + (files.replaces() ? " (replaced, '==')" : ""));
        }
        switch (files.extra()) {
            case NONE -> report.info("no -Djava.security.properties file: the JDK's java.security alone applies");
            case READ -> report.ok(given + ": read, " + (files.replaces()
                    ? "replacing the JDK's java.security ('=='): only the providers it lists exist"
                    : "adding to the JDK's java.security"));
            case IGNORED_BY_JDK_FILE -> report.fail(given + " is ignored: " + files.jdkFile() + " does not set"
                    + " security.overridePropertiesFile=true",
                    "set it to true there, or put the SipTls line into " + files.jdkFile());
            case UNREADABLE -> report.fail(given + " cannot be read (" + files.extraProblem() + "); the JDK skips"
                    + " it without a word", "fix the path or the file's permissions");
        }
    }

    private void reportRedefinitions(JavaSecurityFiles files) {
        for (JavaSecurityFiles.Redefinition r : files.redefinitions()) {
            String lost = firstWord(r.firstValue());
            if (r.withinOneFile()) {
                report.fail(r.key() + " is defined twice in " + r.laterSource() + " (" + lost + ", then "
                        + firstWord(r.laterValue()) + "): the last one wins and " + lost + " is dropped",
                        "give each provider a number of its own");
            } else {
                report.fail(r.key() + " is defined in " + r.firstSource() + " (" + lost + ") and again in "
                        + r.laterSource() + " (" + firstWord(r.laterValue()) + "): the later one wins and " + lost
                        + " is dropped", "number the new entry after the JDK's own, without a gap");
            }
        }
    }

    private void reportGap(ProviderEntries entries, JavaSecurityFiles files) {
        if (entries.blankAtGap()) {
            report.warn("security.provider." + entries.gap() + " is empty: the JDK prints 'invalid entry for"
                    + " security.provider." + entries.gap() + "' and reads no further", "remove it");
        }
        List<ProviderEntries.Entry> ignored = entries.ignored();
        for (int i = 0; i < ignored.size(); i++) {
            ProviderEntries.Entry e = ignored.get(i);
            String where = " (" + e.value() + ", in " + files.origin(e.key()) + ")";
            String why = e.key() + " is ignored: the JDK stops reading at the gap at " + entries.gap();
            String todo = i == 0 ? "number it " + entries.gap()
                    : "number the entries after " + (entries.gap() - 1) + " from " + entries.gap() + " on, without a gap";
            if (isSipTls(e.name())) {
                report.fail(why + "; " + todo + where, null);
            } else {
                report.warn(why + where, todo);
            }
        }
    }

    private void reportNearMisses(ProviderEntries entries) {
        for (ProviderEntries.Listed l : entries.listed()) {
            String name = l.entry().name();
            if (!isSipTls(name) && name.toLowerCase(Locale.ROOT).contains("siptls")) {
                report.fail(l.entry().key() + "=" + name + " names no provider the JDK can load",
                        "write SipTls (case matters) or " + CLASS);
            }
        }
    }

    private void reportArgument(ProviderEntries.Entry entry) {
        if (entry.argument().isEmpty()) {
            report.fail(entry.key() + " gives SipTls no sip-tls.properties: the provider is installed unconfigured"
                    + " and every SIP-TLS context refuses init", "append the file's path: " + entry.key() + "=SipTls"
                    + " /path/to/sip-tls.properties");
            return;
        }
        Path file = Path.of(entry.argument());
        if (!Files.isRegularFile(file)) {
            report.fail(entry.key() + " names " + entry.argument() + ", which does not exist"
                    + (file.isAbsolute() ? "" : " (relative to " + Path.of("").toAbsolutePath()
                    + "; the application resolves it against its own working directory)"),
                    "give the absolute path of sip-tls.properties");
        } else if (!file.isAbsolute()) {
            report.warn(entry.key() + " names the relative path " + entry.argument()
                    + ": it resolves against the application's working directory", "give an absolute path");
        }
    }

    /** The JDK finds a provider by name through ServiceLoader, by class name through the class path. */
    private void reportClassPath(ProviderEntries.Entry entry) {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        boolean found = entry.name().equals(CLASS)
                ? loadable(system)
                : ServiceLoader.load(Provider.class, system).stream().anyMatch(p -> p.type().getName().equals(CLASS));
        if (!found) {
            report.fail(CLASS + " is not on this JVM's class path" + (entry.name().equals(CLASS) ? ""
                    : " as a java.security.Provider service") + ": the JDK drops the entry",
                    "put the provider jar (or sip-tls.jar) on the class path");
            return;
        }
        var location = SipTlsProvider.class.getProtectionDomain().getCodeSource();
        report.ok(CLASS + " is on this JVM's class path" + (location == null ? ""
                : " (" + location.getLocation().getPath() + ")") + "; the application's class path needs it too");
    }

    private static boolean loadable(ClassLoader loader) {
        try {
            return Provider.class.isAssignableFrom(Class.forName(CLASS, false, loader));
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Whether the JDK of this JVM, started with the same files, built the list the files describe. */
    private void crossCheck(int expectedPosition, JavaSecurityFiles files) {
        Provider loaded = Security.getProvider(SipTlsProvider.NAME);
        int position = loaded == null ? 0 : Arrays.asList(Security.getProviders()).indexOf(loaded) + 1;
        String jvm = "this JVM (" + files.extraSpec().map(s -> "-Djava.security.properties=" + s)
                .orElse("no -Djava.security.properties") + ")";
        if (expectedPosition == 0 && loaded == null) {
            // agreeing that SipTls is missing is no success: the FAIL above says what to fix
            report.info(jvm + " agrees that SipTls is absent: Security.getProvider(\"SipTls\") is null");
        } else if (expectedPosition == 0) {
            report.fail(jvm + " has SipTls at position " + position + ", although the files read here list none",
                    "report this: the check reads java.security differently from this JDK");
        } else if (loaded == null) {
            report.fail(jvm + " has no SipTls provider although the files list it: the JDK dropped it while loading"
                    + " (its configure() failed, see Configuration below, or its class is missing)",
                    "fix what fails below; -Djava.security.debug=jca shows the JDK's reason");
        } else if (!loaded.isConfigured()) {
            report.fail(jvm + " has SipTls at position " + position + " but unconfigured",
                    "give the SipTls line the path of sip-tls.properties");
        } else {
            report.ok(jvm + " agrees: Security.getProvider(\"SipTls\") is provider " + position + ", configured"
                    + (position == expectedPosition ? "" : " (the files say " + expectedPosition
                    + ": providers before it failed to load)"));
        }
    }

    private static String firstWord(String value) {
        int space = value.indexOf(' ');
        return space < 0 ? value : value.substring(0, space);
    }
}
