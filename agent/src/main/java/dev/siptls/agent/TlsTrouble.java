package dev.siptls.agent;

import dev.siptls.sip.PrintableText;
import dev.siptls.sip.UntrustedCertificateException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registration that failed because of certificates, told apart from a key server that is merely away: the
 * key server refused this agent's certificate, or this agent does not trust the key server's (after a key server
 * got a new CA, say). Retrying cannot help either; the operator must act, so the agent says what to do.
 */
final class TlsTrouble {

    enum Cause { REFUSED_BY_KEY_SERVER, KEY_SERVER_NOT_TRUSTED }

    private static final String REFUSED = "the key server refused this agent's certificate";
    private static final String NOT_TRUSTED = "this agent does not trust the key server's certificate";
    private static final Pattern REFUSED_ALERT = Pattern.compile("Received fatal alert: (bad_certificate"
            + "|unsupported_certificate|certificate_revoked|certificate_expired|certificate_unknown|unknown_ca"
            + "|access_denied|certificate_required)");

    private TlsTrouble() {
    }

    /** The reason a failed attempt to reach the key server gets, if {@code e} is a certificate problem. */
    static Optional<String> reasonOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UntrustedCertificateException u) {
                return Optional.of(NOT_TRUSTED + " (" + PrintableText.of(u.getMessage()) + ")"); // names the key server chose
            }
            Optional<String> alert = reasonOfTlsError(t.getMessage());
            if (alert.isPresent()) {
                return alert;
            }
        }
        return Optional.empty();
    }

    /** The reason for a TLS error read from the key server (its alert), if it is a refusal of our certificate. */
    static Optional<String> reasonOfTlsError(String message) {
        Matcher alert = REFUSED_ALERT.matcher(String.valueOf(message));
        return alert.find() ? Optional.of(REFUSED + " (TLS alert " + alert.group(1) + ")") : Optional.empty();
    }

    /** The certificate problem a failure reason made by this class names, if any. */
    static Optional<Cause> causeOf(String reason) {
        if (reason == null) {
            return Optional.empty();
        }
        if (reason.startsWith(REFUSED)) {
            return Optional.of(Cause.REFUSED_BY_KEY_SERVER);
        }
        return reason.startsWith(NOT_TRUSTED) ? Optional.of(Cause.KEY_SERVER_NOT_TRUSTED) : Optional.empty();
    }

    /** The WARNING for {@code cause}: what happened, with whom, and what to do. */
    static String advice(Cause cause, String aor, KeyServerTarget keyServer, String reason) {
        String detail = reason.substring(reason.indexOf('(') + 1, reason.lastIndexOf(')') > 0
                ? reason.lastIndexOf(')') : reason.length());
        if (cause == Cause.REFUSED_BY_KEY_SERVER) {
            return aor + ": key server " + keyServer + " refuses this agent's certificate (" + detail + "): it does"
                    + " not validate against the key server's trust store (a key server with a new CA?). Enrol this"
                    + " agent again from the key server's CA, or add this agent's CA to the key server's trust"
                    + " store. Retrying meanwhile; logged again only if the cause changes.";
        }
        return aor + ": this agent does not trust the certificate of key server " + keyServer + " (" + detail
                + "). Put the CA certificate of the key server in this agent's trust store (or enrol this agent"
                + " again from the key server's CA). Retrying meanwhile; logged again only if the cause changes.";
    }
}
