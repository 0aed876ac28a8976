package dev.siptls.server;

/**
 * The shared state cannot be read or written now: this node has not joined its cluster, or it is on the minority
 * side of a split. The key server answers {@code 503} with {@code Retry-After} instead of deciding alone.
 */
public final class StateUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StateUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public StateUnavailableException(String message) {
        super(message);
    }
}
