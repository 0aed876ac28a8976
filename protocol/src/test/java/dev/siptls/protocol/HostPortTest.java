package dev.siptls.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @Test
    void parsesNameAndPort() {
        assertEquals(new HostPort("www.example.com", 8443), HostPort.parse("www.example.com:8443"));
    }

    @Test
    void lowerCasesTheHost() {
        HostPort hp = HostPort.parse("WWW.Example.COM:443");
        assertEquals("www.example.com", hp.host());
        assertEquals(new HostPort("WWW.EXAMPLE.COM", 443), hp);
    }

    @Test
    void parsesIpv4() {
        assertEquals(new HostPort("192.0.2.1", 443), HostPort.parse("192.0.2.1:443"));
    }

    @Test
    void parsesIpv6InBracketsAndKeepsItWithout() {
        HostPort hp = HostPort.parse("[2001:DB8::1]:8443");
        assertEquals("2001:db8::1", hp.host());
        assertEquals(8443, hp.port());
        assertEquals("[2001:db8::1]:8443", hp.toString());
        assertEquals(new HostPort("::1", 8443), HostPort.parse("[::1]:8443"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"www.example.com:8443", "[::1]:1", "10.0.0.1:65535"})
    void toStringParsesBack(String s) {
        assertEquals(s, HostPort.parse(s).toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "www.example.com          | missing port",
        "www.example.com:         | port is not a number",
        ":8443                    | empty host",
        "www.example.com:0        | port out of range",
        "www.example.com:65536    | port out of range",
        "www.example.com:99999999 | port is not a number",
        "www.example.com:+443     | port is not a number",
        "www.example.com:-1       | port is not a number",
        "www.example.com:443x     | port is not a number",
        "::1:8443                 | IPv6 address must be in brackets",
        "[::1]8443                | missing port",
        "[::1:8443                | missing ']'",
        "[www.example.com]:443    | brackets are only for IPv6",
        "www.exa mple.com:443     | illegal character in host",
        "www.example.com/x:443    | illegal character in host",
        "user@www.example.com:443 | illegal character in host",
        "www.example.com:44 3     | port is not a number",
    })
    void refusesBadInputWithAClearMessage(String input, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse(input));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void refusesTabAndNewlineInHost() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostPort.parse("www.example.com\r\nVia\tevil:443"));
        assertTrue(e.getMessage().startsWith("illegal character in host"), e.getMessage());
        assertTrue(e.getMessage().chars().noneMatch(c -> c == '\r' || c == '\n'), "message stays on one line");
    }

    @Test
    void refusesEmptyAndNullHost() {
        assertThrows(IllegalArgumentException.class, () -> new HostPort("", 443));
        assertThrows(NullPointerException.class, () -> new HostPort(null, 443));
        assertThrows(NullPointerException.class, () -> HostPort.parse(null));
    }

    @Test
    void refusesColonInHostThatIsNotIpv6() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HostPort("www.example.com:8443", 443));
        assertTrue(e.getMessage().contains("not an IPv6 address"), e.getMessage());
    }
}
