package dev.siptls.protocol;

import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The certificates of the last few SA bodies, by the exact base64 text they arrived as. An agent receives the
 * same few chains over and over (its own and its peers'); a text seen before is that certificate again, and
 * needs neither decoding nor parsing. Bounded, least recently used first out; thread-safe.
 */
final class RecentCertificates {

    private static final int SIZE = 64;

    private final Map<String, X509Certificate> byText = new LinkedHashMap<>(SIZE * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, X509Certificate> eldest) {
            return size() > SIZE;
        }
    };

    synchronized X509Certificate get(String text) {
        return byText.get(text);
    }

    synchronized void put(String text, X509Certificate certificate) {
        byText.put(text, certificate);
    }
}
