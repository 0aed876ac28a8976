package dev.siptls.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The RFC 4475 messages under {@code src/test/resources/rfc4475/}, read in the RFC's own notation (section 2:
 * {@code <hex>} for raw octets, {@code <repeat count=N>} for long strings) and turned into wire bytes with CRLF
 * line ends, with what the RFC allows as an answer to each ({@code expectations.properties}).
 */
final class TortureMessages {

    private static final Pattern REPEAT = Pattern.compile("<repeat count=(\\d+)>(.*?)</repeat>", Pattern.DOTALL);
    private static final Pattern HEX = Pattern.compile("<hex>([0-9A-Fa-f]+)</hex>");
    private static final Pattern BRANCH = Pattern.compile("(?i)(branch\\s*=\\s*)([^;,\\s]+)");

    /**
     * One message file and the outcomes the RFC allows for it.
     *
     * @param bytes    what the test sends: the RFC's message with its own branches ({@link #ownBranches})
     * @param original the RFC's message as written (its Vias naming UDP and other hosts)
     */
    record Message(String name, boolean valid, byte[] bytes, byte[] original, List<String> allowed) {
        @Override
        public String toString() {
            return name + (valid ? " (3.1.1 valid)" : " (3.1.2 invalid)");
        }
    }

    private TortureMessages() {
    }

    /** All messages in the order of the expectations file. */
    static List<Message> all() {
        Properties expectations = new Properties();
        Map<String, String> ordered = new LinkedHashMap<>();
        try (InputStream in = resource("/rfc4475/expectations.properties")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            expectations.load(new java.io.StringReader(text));
            for (String line : text.split("\n")) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && eq > 0 && !line.substring(0, eq).contains(".")) {
                    ordered.put(line.substring(0, eq).trim(), expectations.getProperty(line.substring(0, eq).trim()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Message> out = new ArrayList<>();
        ordered.forEach((name, allowed) -> {
            boolean valid = TortureMessages.class.getResource("/rfc4475/valid/" + name + ".sip") != null;
            String path = "/rfc4475/" + (valid ? "valid/" : "invalid/") + name + ".sip";
            byte[] original = wire(read(path));
            out.add(new Message(name, valid, ownBranches(original, name), original,
                    List.of(allowed.split("\\s*,\\s*"))));
        });
        return out;
    }

    private static String read(String path) {
        try (InputStream in = resource(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String path) {
        InputStream in = TortureMessages.class.getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + path);
        }
        return in;
    }

    /**
     * Appends {@code "." + name} to every Via branch. The RFC's messages are meant to reach an element one at a
     * time, and many share a branch ({@code z9hG4bKkdjuw}); sent together, JAIN-SIP would take them for one
     * transaction (it keys server transactions by branch alone) and the key server would drop all but the
     * first as retransmissions. A longer branch changes nothing else the message tests.
     */
    static byte[] ownBranches(byte[] wire, String name) {
        String text = new String(wire, StandardCharsets.ISO_8859_1);
        return BRANCH.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + "." + name))
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Expands the RFC notation and makes every line end in CRLF. */
    static byte[] wire(String text) {
        Matcher repeat = REPEAT.matcher(text);
        StringBuilder expanded = new StringBuilder();
        while (repeat.find()) {
            repeat.appendReplacement(expanded, Matcher.quoteReplacement(repeat.group(2).repeat(
                    Integer.parseInt(repeat.group(1)))));
        }
        repeat.appendTail(expanded);
        String crlf = expanded.toString().replace("\r\n", "\n").replace("\n", "\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Matcher hex = HEX.matcher(crlf);
        int at = 0;
        while (hex.find()) {
            out.writeBytes(crlf.substring(at, hex.start()).getBytes(StandardCharsets.UTF_8));
            out.writeBytes(HexFormat.of().parseHex(hex.group(1).toLowerCase(Locale.ROOT)));
            at = hex.end();
        }
        out.writeBytes(crlf.substring(at).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
