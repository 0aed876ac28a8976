package dev.siptls.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deployer's templates in {@code META-INF-templates/} at the top of the repository (the build passes its
 * path as {@code siptls.templates}), filled in the way their comments tell a deployer to: every {@code ${name}}
 * replaced. A placeholder left outside a comment fails the test, so a template and its test cannot drift apart.
 */
final class Templates {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)}");

    private Templates() {
    }

    static Path directory() {
        String configured = System.getProperty("siptls.templates");
        Path dir = configured != null ? Path.of(configured) : Path.of("..", "META-INF-templates");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("templates not found at " + dir.toAbsolutePath()
                    + " (system property siptls.templates)");
        }
        return dir;
    }

    static String read(String name) throws IOException {
        return Files.readString(directory().resolve(name), StandardCharsets.UTF_8);
    }

    /** The template with {@code values} put in; every placeholder outside comments must have a value. */
    static String render(String name, Map<String, String> values) throws IOException {
        String text = read(name);
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        String rendered = out.toString();
        String active = withoutComments(name, rendered);
        Matcher left = PLACEHOLDER.matcher(active);
        if (left.find()) {
            throw new AssertionError("template " + name + " has a placeholder the test does not fill: " + left.group());
        }
        return rendered;
    }

    /** Renders {@code name} into {@code target}. */
    static Path write(String name, Map<String, String> values, Path target) throws IOException {
        return Files.writeString(target, render(name, values), StandardCharsets.UTF_8);
    }

    /** What a reader of the file acts on: no {@code #} lines (properties), no {@code <!-- -->} (XML). */
    static String withoutComments(String name, String text) {
        if (name.endsWith(".xml")) {
            return text.replaceAll("(?s)<!--.*?-->", "");
        }
        StringBuilder out = new StringBuilder();
        text.lines().filter(l -> !l.stripLeading().startsWith("#") && !l.isBlank()).forEach(l -> out.append(l).append('\n'));
        return out.toString();
    }
}
