package dev.siptls.sip;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * A peer's certificate this endpoint's trust checks refused, with the certificate's subject and issuer (not
 * secrets) so that a log line can say whose it was; the check's own words are in the message. It carries no
 * cause, so that whoever reports a failure by its root cause reports this.
 */
public final class UntrustedCertificateException extends CertificateException {

    private static final long serialVersionUID = 1L;

    private final String subject;
    private final String issuer;
    private final String detail;

    UntrustedCertificateException(X509Certificate[] chain, CertificateException refusal) {
        super(describe(chain) + ": " + PrintableText.of(detailOf(refusal)));
        X509Certificate leaf = chain == null || chain.length == 0 ? null : chain[0];
        this.subject = leaf == null ? "none" : leaf.getSubjectX500Principal().getName();
        this.issuer = leaf == null ? "none" : leaf.getIssuerX500Principal().getName();
        this.detail = detailOf(refusal);
    }

    /** The refusal's words, and its root cause's where they say more (PKIX names the actual fault there). */
    private static String detailOf(Throwable refusal) {
        Throwable root = refusal;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(refusal.getMessage());
        return root != refusal && root.getMessage() != null && !message.contains(root.getMessage())
                ? message + " (" + root.getMessage() + ")" : message;
    }

    /** The refused certificate's subject DN, as the peer wrote it: pass it through {@link PrintableText} to log it. */
    public String subject() {
        return subject;
    }

    /** The refused certificate's issuer DN, as the peer wrote it: pass it through {@link PrintableText} to log it. */
    public String issuer() {
        return issuer;
    }

    /** What the trust check said (e.g. "Signature does not match."). */
    public String detail() {
        return detail;
    }

    private static String describe(X509Certificate[] chain) {
        if (chain == null || chain.length == 0) {
            return "no certificate";
        }
        // the names are the peer's words: the message must not carry its line breaks into a log or stack trace
        return "certificate " + PrintableText.of(chain[0].getSubjectX500Principal().getName()) + " issued by "
                + PrintableText.of(chain[0].getIssuerX500Principal().getName());
    }
}
