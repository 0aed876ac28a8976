package dev.siptls.conformance;

import java.nio.file.Path;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;

/** Command lines for child JVMs on this test's class path, and what installing a provider in them needs. */
final class ChildJvm {

    private ChildJvm() {
    }

    /** A child JVM on this test's class path running {@code mainClass}. */
    static List<String> command(List<String> jvmOptions, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    /** One more than the highest security.provider.N of this JDK's java.security. */
    static int nextProviderNumber() {
        int n = 1;
        while (Security.getProperty("security.provider." + n) != null) {
            n++;
        }
        return n;
    }
}
