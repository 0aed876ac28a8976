package dev.siptls.protocol;

/**
 * The SIP {@code Content-Type}s of SIP-TLS bodies. Own types rather than {@code application/xml},
 * so that a UA can tell a policy from an SA (and refuse an SA arriving where it must not) before
 * parsing anything.
 */
public final class ContentTypes {

    public static final String TYPE = "application";
    public static final String POLICY_SUBTYPE = "siptls-policy+xml";
    public static final String ASSOCIATION_SUBTYPE = "siptls-sa+xml";
    public static final String POLICY = TYPE + "/" + POLICY_SUBTYPE;
    public static final String ASSOCIATION = TYPE + "/" + ASSOCIATION_SUBTYPE;
    /** An SA body sealed to its recipient ({@link SealedBody}): what the key server sends. */
    public static final String SEALED_ASSOCIATION_SUBTYPE = "siptls-sa-sealed";
    public static final String SEALED_ASSOCIATION = TYPE + "/" + SEALED_ASSOCIATION_SUBTYPE;
    /** The suites a client connection offers ({@link SuiteOffer}), optional in an agent's SA request. */
    public static final String SUITE_OFFER_SUBTYPE = "siptls-suites+xml";
    public static final String SUITE_OFFER = TYPE + "/" + SUITE_OFFER_SUBTYPE;

    private ContentTypes() {
    }
}
