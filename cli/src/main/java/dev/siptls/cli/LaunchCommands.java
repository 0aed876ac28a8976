package dev.siptls.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/**
 * The command lines printed for a deployer to copy: {@code ./sip-tls} where this is the repository's script, the
 * jar this code runs from otherwise, and paths relative to the working directory where they lie under it.
 */
final class LaunchCommands {

    private static final String SCRIPT = "sip-tls";
    private static final Path SCRIPT_JAR = Path.of("cli", "target", "sip-tls.jar");

    private LaunchCommands() {
    }

    /** How to run a sip-tls command here: {@code ./sip-tls}, or {@code java -jar <jar>}. */
    static String sipTls() {
        Path cwd = workingDirectory();
        Optional<Path> jar = jar();
        if (jar.isPresent() && sameFile(jar.get(), cwd.resolve(SCRIPT_JAR)) && Files.isRegularFile(cwd.resolve(SCRIPT))) {
            return "./" + SCRIPT;
        }
        return "java -jar " + jarText();
    }

    /** {@code java -Djava.security.properties=<fragment> -jar <jar> <args>}: an application JVM with the provider. */
    static String application(Path javaSecurity, String args) {
        return "java -Djava.security.properties=" + display(javaSecurity) + " -jar " + jarText() + " " + args;
    }

    /** The jar, relative where it can be; {@code sip-tls.jar} when this code does not run from one. */
    static String jarText() {
        Path cwd = workingDirectory();
        return jar().map(j -> sameFile(j, cwd.resolve(SCRIPT_JAR)) ? SCRIPT_JAR.toString() : display(j))
                .orElse("sip-tls.jar");
    }

    /**
     * {@code path} relative to the working directory if it lies under it, else absolute. The JDK names the jar it
     * runs from by its real path, so a working directory reached through a symbolic link is compared as real too.
     */
    static String display(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path cwd = workingDirectory();
        if (absolute.startsWith(cwd) && !absolute.equals(cwd)) {
            return cwd.relativize(absolute).toString();
        }
        try {
            Path realCwd = cwd.toRealPath();
            if (absolute.startsWith(realCwd) && !absolute.equals(realCwd)) {
                return realCwd.relativize(absolute).toString();
            }
        } catch (IOException e) {
            // shown absolute
        }
        return absolute.toString();
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static Path workingDirectory() {
        return Path.of("").toAbsolutePath().normalize();
    }

    private static Optional<Path> jar() {
        try {
            CodeSource source = LaunchCommands.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return Optional.empty();
            }
            Path path = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
            return Files.isRegularFile(path) && path.toString().endsWith(".jar") ? Optional.of(path) : Optional.empty();
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
