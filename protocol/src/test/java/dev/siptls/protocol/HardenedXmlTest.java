package dev.siptls.protocol;

import static dev.siptls.protocol.TestData.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.xml.deser.FromXmlParser;
import org.junit.jupiter.api.Test;

/**
 * The parser limits behind the element walker: the walker refuses unknown elements before it
 * descends, so these tests read blindly, as a careless future reader would.
 */
class HardenedXmlTest {

    private final HardenedXml xml = new HardenedXml();

    private String readBlindly(String body) {
        Exception e = assertThrows(Exception.class, () -> {
            try (FromXmlParser p = xml.open(utf8(body))) {
                while (p.nextToken() != null) {
                    if (p.currentToken() == JsonToken.START_OBJECT) {
                        p.skipChildren();
                    }
                }
            }
        });
        return HardenedXml.refusal(e).getMessage();
    }

    @Test
    void parserRefusesNestingDeeperThanTheLimit() {
        int depth = HardenedXml.MAX_DEPTH + 1;
        assertEquals("elements nested deeper than 8 levels",
                readBlindly("<TLS>" + "<a>".repeat(depth) + "</a>".repeat(depth) + "</TLS>"));
    }

    @Test
    void parserAcceptsNestingUpToTheLimit() throws Exception {
        int depth = HardenedXml.MAX_DEPTH - 1;
        try (FromXmlParser p = xml.open(utf8("<TLS>" + "<a>".repeat(depth) + "x" + "</a>".repeat(depth) + "</TLS>"))) {
            while (p.nextToken() != null) {
                // reads to the end without error
            }
        }
    }

    @Test
    void parserRefusesDoctypeBeforeAnyContent() {
        assertEquals("DOCTYPE not allowed", readBlindly("<!DOCTYPE TLS SYSTEM \"http://192.0.2.1/x.dtd\"><TLS/>"));
    }
}
