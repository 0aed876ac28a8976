package dev.siptls.sip.testing;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Secrets a test wants to be sure are gone from memory, and the search for them in a real heap dump of this
 * JVM. A secret is kept only masked (XOR with random bytes), so the test's own copy is not what the search
 * finds; it is unmasked after the dump is written, and looked for in binary, hex and base64.
 */
public final class HeapSecrets {

    private final SecureRandom random = new SecureRandom();
    private final List<byte[][]> masked = new ArrayList<>();

    /** Remembers {@code secret} masked and zeroes the array given. */
    public void add(byte[] secret) {
        byte[] pad = new byte[secret.length];
        random.nextBytes(pad);
        byte[] padded = new byte[secret.length];
        for (int i = 0; i < secret.length; i++) {
            padded[i] = (byte) (pad[i] ^ secret[i]);
        }
        masked.add(new byte[][] {padded, pad});
        Arrays.fill(secret, (byte) 0);
    }

    public int size() {
        return masked.size();
    }

    /**
     * Dumps the whole heap to {@code file}, garbage not yet collected included (what a core file or a memory
     * image shows), and returns, for each remembered secret found in it, how it was found ({@code "#3 base64"});
     * empty if none was.
     */
    public List<String> findIn(Path file) throws IOException {
        Files.deleteIfExists(file);
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(file.toString(), false);
        Map<String, byte[]> patterns = new LinkedHashMap<>();
        for (int n = 0; n < masked.size(); n++) {
            byte[] secret = unmask(masked.get(n));
            patterns.put("#" + n + " binary", secret);
            for (Map.Entry<String, String> spelling : SecretSpellings.of(secret).entrySet()) {
                patterns.put("#" + n + " " + spelling.getKey(), spelling.getValue().getBytes(StandardCharsets.US_ASCII));
            }
        }
        try {
            return search(file, patterns);
        } finally {
            patterns.values().forEach(p -> Arrays.fill(p, (byte) 0));
            Files.deleteIfExists(file);
        }
    }

    private static byte[] unmask(byte[][] pair) {
        byte[] out = new byte[pair[0].length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (pair[0][i] ^ pair[1][i]);
        }
        return out;
    }

    /** Every pattern is at least 8 bytes: index them by their first 8 and slide over the file once. */
    private static List<String> search(Path file, Map<String, byte[]> patterns) throws IOException {
        Map<Long, List<Map.Entry<String, byte[]>>> byPrefix = new java.util.HashMap<>();
        for (Map.Entry<String, byte[]> p : patterns.entrySet()) {
            byPrefix.computeIfAbsent(ByteBuffer.wrap(p.getValue()).getLong(), k -> new ArrayList<>()).add(p);
        }
        List<String> found = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long chunk = 256L << 20;
            int overlap = 256;
            for (long start = 0; start < size; start += chunk) {
                long length = Math.min(chunk + overlap, size - start);
                ByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, start, length);
                long limit = Math.min(chunk, length);
                for (int i = 0; i + 8 <= length && i < limit; i++) {
                    List<Map.Entry<String, byte[]>> candidates = byPrefix.get(map.getLong(i));
                    if (candidates == null) {
                        continue;
                    }
                    for (Map.Entry<String, byte[]> c : candidates) {
                        byte[] p = c.getValue();
                        if (i + p.length <= length && matches(map, i, p) && !found.contains(c.getKey())) {
                            found.add(c.getKey());
                        }
                    }
                }
            }
        }
        return found;
    }

    private static boolean matches(ByteBuffer map, int at, byte[] pattern) {
        for (int k = 0; k < pattern.length; k++) {
            if (map.get(at + k) != pattern[k]) {
                return false;
            }
        }
        return true;
    }
}
