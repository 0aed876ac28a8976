package dev.siptls.agent;

/**
 * The key server (or the TLS server's agent, through it) answered an SA request with a SIP error: 403 not
 * authorised, 404 unknown target, 480 target not registered, 488 no common suite or refused by the server,
 * 408 the server agent did not answer.
 */
public final class AssociationRefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final String reason;

    public AssociationRefusedException(int statusCode, String reason) {
        super(statusCode + " " + reason);
        this.statusCode = statusCode;
        this.reason = reason;
    }

    /** The SIP status code, 400 to 699. */
    public int statusCode() {
        return statusCode;
    }

    /** The reason phrase as received. */
    public String reason() {
        return reason;
    }
}
