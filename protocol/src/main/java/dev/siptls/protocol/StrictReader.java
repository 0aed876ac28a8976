package dev.siptls.protocol;

import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.util.StreamReaderDelegate;

/**
 * Refuses, as the events stream past, what no SIP-TLS body contains: a DOCTYPE (the door to every
 * entity attack), entity references, attributes and namespaces (which Jackson would otherwise report
 * like child elements or drop), and a root other than the expected one.
 */
final class StrictReader extends StreamReaderDelegate {

    /** A refusal whose message is ours, hence safe to pass on. */
    static final class Refused extends XMLStreamException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private final String rootName;
    private boolean rootSeen;

    StrictReader(XMLStreamReader reader, String rootName) {
        super(reader);
        this.rootName = rootName;
    }

    @Override
    public int next() throws XMLStreamException {
        int event = super.next();
        switch (event) {
            case XMLStreamConstants.DTD -> throw new Refused("DOCTYPE not allowed");
            case XMLStreamConstants.ENTITY_REFERENCE -> throw new Refused("entity references not allowed");
            case XMLStreamConstants.START_ELEMENT -> checkElement();
            default -> { }
        }
        return event;
    }

    @Override
    public int nextTag() throws XMLStreamException {
        // StreamReaderDelegate would bypass next(); route through it so that every event is checked.
        int event = next();
        while (event == XMLStreamConstants.CHARACTERS && isWhiteSpace()
                || event == XMLStreamConstants.SPACE || event == XMLStreamConstants.COMMENT
                || event == XMLStreamConstants.PROCESSING_INSTRUCTION) {
            event = next();
        }
        if (event != XMLStreamConstants.START_ELEMENT && event != XMLStreamConstants.END_ELEMENT) {
            throw new XMLStreamException("expected an element", getLocation());
        }
        return event;
    }

    private void checkElement() throws Refused {
        String name = getLocalName();
        if (!rootSeen) {
            rootSeen = true;
            if (!rootName.equals(name)) {
                throw new Refused("root element must be <" + rootName + ">, not <" + shortName(name) + ">");
            }
        }
        String namespace = getNamespaceURI();
        if (namespace != null && !namespace.isEmpty() || getNamespaceCount() > 0) {
            throw new Refused("namespaces not allowed (on <" + shortName(name) + ">)");
        }
        if (getAttributeCount() > 0) {
            throw new Refused("attributes not allowed (on <" + shortName(name) + ">)");
        }
    }

    private static String shortName(String name) {
        return name.length() > 40 ? name.substring(0, 40) + "..." : name;
    }
}
