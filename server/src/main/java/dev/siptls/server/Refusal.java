package dev.siptls.server;

/**
 * A request the key server answers with an error: the status, the reason phrase the agent sees, and a
 * short stable key for the statistics. Thrown by the checks, caught where the response is sent; it
 * carries no stack trace because it is an answer, not a fault.
 */
class Refusal extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String key;

    Refusal(int status, String key, String reason) {
        super(reason, null, false, false);
        this.status = status;
        this.key = key;
    }

    int status() {
        return status;
    }

    /** E.g. {@code cert-does-not-prove-aor}; counted as {@code "<status> <key>"}. */
    String key() {
        return key;
    }

    String reason() {
        return getMessage();
    }
}
