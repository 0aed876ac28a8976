package dev.siptls.protocol;

/**
 * A SIP-TLS body that is malformed, hostile or invalid; the receiver answers {@code 400} with
 * {@link #getMessage()} as the reason phrase and changes nothing.
 *
 * <p>The message is made safe for that: one line, printable, at most {@value #MAX_MESSAGE} characters.
 * The codec never puts secret bytes into it.
 */
public final class InvalidBodyException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Longest message kept; a SIP reason phrase should stay short. */
    static final int MAX_MESSAGE = 200;

    public InvalidBodyException(String message) {
        super(oneLine(message));
    }

    public InvalidBodyException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "invalid body";
        }
        StringBuilder b = new StringBuilder(Math.min(message.length(), MAX_MESSAGE));
        for (int i = 0; i < message.length() && b.length() < MAX_MESSAGE; i++) {
            char c = message.charAt(i);
            b.append(Character.isISOControl(c) || Character.isWhitespace(c) ? ' ' : c);
        }
        return b.toString().strip();
    }
}
