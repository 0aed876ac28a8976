package dev.siptls.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-read forms (times, seconds, ports) accept and refuse exactly what the general parsers did. */
class XmlValuesTest {

    @Test
    void utcTimesReadAsInstantParseReadsThem() throws Exception {
        for (String s : List.of("2026-11-29T19:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                "2024-02-29T12:34:56Z", "2026-11-29T19:00:00.5Z", "2026-11-29T24:00:00Z", "+12026-11-29T19:00:00Z",
                " 2026-11-29T19:00:00Z\n")) {
            Instant expected;
            try {
                expected = Instant.parse(s.strip());
            } catch (java.time.DateTimeException e) {
                assertThrows(InvalidBodyException.class, () -> XmlValues.utc("CreationTime", s), s);
                continue;
            }
            assertEquals(expected, XmlValues.utc("CreationTime", s), s);
        }
        for (String s : List.of("2026-11-29T19:00:00", "2026-11-29T19:00:00+01:00", "2026-02-30T19:00:00Z",
                "2026-13-01T19:00:00Z", "2026-11-29T19:60:00Z", "2026-11-29T19:00:6xZ", "2026-11-29 19:00:00Z",
                "\u0662026-11-29T19:00:00Z")) {
            assertThrows(InvalidBodyException.class, () -> XmlValues.utc("CreationTime", s), s);
        }
    }

    @Test
    void secondsAndPortsAreAsciiDigitsOfBoundedLength() throws Exception {
        assertEquals(Duration.ofSeconds(3600), XmlValues.seconds("Lifetime", " 3600 "));
        assertEquals(Duration.ofSeconds(-5), XmlValues.seconds("Lifetime", "-5"));
        assertEquals(Duration.ofSeconds(999_999_999_999_999_999L), XmlValues.seconds("Lifetime", "999999999999999999"));
        for (String s : List.of("", "-", "--5", "+5", "1e3", "1 000", "\u0661", "9999999999999999999")) {
            assertThrows(InvalidBodyException.class, () -> XmlValues.seconds("Lifetime", s), s);
        }
        assertEquals(8443, XmlValues.port("Port", "8443"));
        for (String s : List.of("", "-1", "123456", "\u0661", "80a")) {
            assertThrows(InvalidBodyException.class, () -> XmlValues.port("Port", s), s);
        }
    }
}
