package dev.siptls.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One element of a SIP-TLS body as read against its {@link Shape}: the text of its child elements by
 * name, in document order, and its nested elements.
 *
 * <p>Reading fails closed and early: an element the shape does not name, text where elements belong
 * (or the reverse), or a second copy of a single element is refused as soon as it is seen, before
 * anything inside it is read. Which values are required is for the caller to say, so that the message
 * names the missing element.
 */
final class Element {

    static final String ROOT = "TLS";

    /**
     * The elements allowed inside one element.
     *
     * @param once text elements that may appear at most once
     * @param repeated text elements that may appear any number of times, order kept
     * @param nested child elements with elements of their own, at most once each
     */
    record Shape(String name, Set<String> once, Set<String> repeated, Map<String, Shape> nested) {
    }

    private final String name;
    private final Map<String, List<String>> texts = new HashMap<>();
    private final Map<String, Element> children = new HashMap<>();

    private Element(String name) {
        this.name = name;
    }

    /** Reads a whole body: {@code parser} is positioned before the root element. */
    static Element readRoot(JsonParser parser, Shape shape) throws IOException, InvalidBodyException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new InvalidBodyException("<" + shape.name() + "> must contain elements");
        }
        Element root = read(parser, shape);
        if (parser.nextToken() != null) {
            throw new InvalidBodyException("content after </" + shape.name() + ">");
        }
        return root;
    }

    /** Reads the content of an element whose START_OBJECT was just consumed, up to its END_OBJECT. */
    private static Element read(JsonParser parser, Shape shape) throws IOException, InvalidBodyException {
        Element element = new Element(shape.name());
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String child = parser.currentName();
            JsonToken value = parser.nextToken();
            boolean blankText = value == JsonToken.VALUE_STRING && parser.getText().isBlank();
            if (child.isEmpty()) {
                // Jackson reports text mixed between elements under the empty name.
                if (!blankText) {
                    throw new InvalidBodyException("unexpected text in <" + shape.name() + ">");
                }
            } else if (shape.nested().containsKey(child)) {
                if (value == JsonToken.START_OBJECT) {
                    element.addChild(child, read(parser, shape.nested().get(child)));
                } else if (blankText) {
                    element.addChild(child, new Element(child));
                } else {
                    throw new InvalidBodyException("<" + child + "> must contain elements, not text");
                }
            } else if (shape.once().contains(child) || shape.repeated().contains(child)) {
                if (value != JsonToken.VALUE_STRING) {
                    throw new InvalidBodyException("<" + child + "> must contain only text");
                }
                element.addText(child, parser.getText(), shape.repeated().contains(child));
            } else {
                throw new InvalidBodyException("unknown element <" + child + "> in <" + shape.name() + ">");
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw new InvalidBodyException("malformed <" + shape.name() + ">");
        }
        return element;
    }

    private void addChild(String child, Element value) throws InvalidBodyException {
        if (children.putIfAbsent(child, value) != null) {
            throw duplicate(child);
        }
    }

    private void addText(String child, String text, boolean repeatable) throws InvalidBodyException {
        List<String> values = texts.computeIfAbsent(child, k -> new ArrayList<>(1));
        if (!repeatable && !values.isEmpty()) {
            throw duplicate(child);
        }
        values.add(text);
    }

    private InvalidBodyException duplicate(String child) {
        return new InvalidBodyException("duplicate <" + child + "> in <" + name + ">");
    }

    /** The text of a required single element, as written (not trimmed). */
    String required(String child) throws InvalidBodyException {
        return optional(child).orElseThrow(() -> missing(child));
    }

    /** The text of an optional single element, as written. */
    Optional<String> optional(String child) {
        List<String> values = texts.get(child);
        return values == null ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The texts of a repeatable element in document order; empty if absent. */
    List<String> all(String child) {
        return texts.getOrDefault(child, List.of());
    }

    /** A required nested element. */
    Element child(String child) throws InvalidBodyException {
        Element e = children.get(child);
        if (e == null) {
            throw missing(child);
        }
        return e;
    }

    /** The name of this element, for messages. */
    String name() {
        return name;
    }

    InvalidBodyException missing(String child) {
        return new InvalidBodyException("missing <" + child + "> in <" + name + ">");
    }
}
