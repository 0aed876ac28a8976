package dev.siptls.protocol;

import com.ctc.wstx.api.WstxInputProperties;
import com.ctc.wstx.stax.WstxInputFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.xml.XmlFactory;
import com.fasterxml.jackson.dataformat.xml.deser.FromXmlParser;
import com.fasterxml.jackson.dataformat.xml.ser.ToXmlGenerator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import javax.xml.namespace.QName;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLResolver;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The XML parser configuration every SIP-TLS body goes through, and the translation of its failures
 * into short, safe messages.
 *
 * <p>Bodies come from other machines, so the parser is Woodstox configured to resolve nothing (no
 * DTD support, no external entities, a resolver that refuses everything) and bounded in depth,
 * text and entity use; {@link StrictReader} then refuses what SIP-TLS bodies never contain. The
 * element walker ({@link Element}) refuses unknown elements before descending into them, so these
 * limits are the backstop, not the first line.
 */
final class HardenedXml {

    /** Deepest element nesting accepted; SIP-TLS bodies need 3 ({@code TLS/ClientInfo/Random}). */
    static final int MAX_DEPTH = 8;

    private static final XMLResolver REFUSE_ALL = (publicId, systemId, baseUri, namespace) -> {
        throw new XMLStreamException("external entities not allowed");
    };

    private final WstxInputFactory inputFactory = hardenedInputFactory();
    private final XmlFactory xmlFactory = XmlFactory.builder()
            .xmlInputFactory(inputFactory)
            .disable(FromXmlParser.Feature.PROCESS_XSI_NIL)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(XmlCodec.MAX_BODY_BYTES)
                    .maxNameLength(256)
                    .build())
            .build();

    private static WstxInputFactory hardenedInputFactory() {
        WstxInputFactory f = new WstxInputFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_VALIDATING, false);
        f.setXMLResolver(REFUSE_ALL);
        f.setProperty(WstxInputProperties.P_DTD_RESOLVER, REFUSE_ALL);
        f.setProperty(WstxInputProperties.P_ENTITY_RESOLVER, REFUSE_ALL);
        f.setProperty(WstxInputProperties.P_MAX_ELEMENT_DEPTH, MAX_DEPTH);
        f.setProperty(WstxInputProperties.P_MAX_ENTITY_DEPTH, 1);
        f.setProperty(WstxInputProperties.P_MAX_ENTITY_COUNT, 1);
        f.setProperty(WstxInputProperties.P_MAX_ATTRIBUTES_PER_ELEMENT, 8);
        f.setProperty(WstxInputProperties.P_MAX_TEXT_LENGTH, XmlCodec.MAX_BODY_BYTES);
        f.setProperty(WstxInputProperties.P_MAX_CHARACTERS, (long) XmlCodec.MAX_BODY_BYTES);
        return f;
    }

    /**
     * A parser over {@code body}, positioned before the root element, which must be {@code <TLS>}.
     *
     * @throws XMLStreamException or {@link IOException}: map with {@link #refusal}
     */
    FromXmlParser open(byte[] body) throws XMLStreamException, IOException {
        XMLStreamReader reader = inputFactory.createXMLStreamReader(new ByteArrayInputStream(body));
        return xmlFactory.createParser(new StrictReader(reader, Element.ROOT));
    }

    /** A generator writing into {@code out}, whose first object will be the {@code <TLS>} root. */
    ToXmlGenerator generator(OutputStream out) throws IOException {
        ToXmlGenerator g = xmlFactory.createGenerator(out);
        g.setNextName(new QName(Element.ROOT));
        return g;
    }

    /**
     * What to tell the sender about a parser failure. Parser messages may quote the input (which
     * may be a secret), so they are never passed on: known refusals get our words, anything else is
     * "malformed" with a position.
     */
    static InvalidBodyException refusal(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StrictReader.Refused r) {
                return new InvalidBodyException(r.getMessage());
            }
            String m = t.getMessage() == null ? "" : t.getMessage();
            if (m.startsWith("Maximum Element Depth")) {
                return new InvalidBodyException("elements nested deeper than " + MAX_DEPTH + " levels");
            }
            if (m.startsWith("Undeclared general entity") || m.startsWith("Undeclared parameter entity")) {
                return new InvalidBodyException("entity references not allowed");
            }
            if (t instanceof StreamConstraintsException || m.startsWith("Maximum ")) {
                return new InvalidBodyException("body exceeds a parser limit");
            }
        }
        return new InvalidBodyException("malformed XML" + position(e));
    }

    private static String position(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof XMLStreamException x && x.getLocation() != null) {
                Location l = x.getLocation();
                return " at line " + l.getLineNumber() + ", column " + l.getColumnNumber();
            }
            if (t instanceof JsonProcessingException j && j.getLocation() != null) {
                JsonLocation l = j.getLocation();
                return " at line " + l.getLineNr() + ", column " + l.getColumnNr();
            }
        }
        return "";
    }
}
