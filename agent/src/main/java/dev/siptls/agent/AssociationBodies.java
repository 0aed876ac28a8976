package dev.siptls.agent;

import dev.siptls.protocol.ContentTypes;
import dev.siptls.protocol.InvalidBodyException;
import dev.siptls.protocol.SealedBody;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.protocol.XmlCodec;
import dev.siptls.sip.TlsIdentity;
import java.security.Provider;
import java.util.Arrays;
import javax.sip.header.ContentTypeHeader;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Reads the SA bodies the key server sends this agent: sealed to the key of the agent's own certificate
 * ({@link SealedBody}, what the key server sends), or plain XML from a key server that does not seal. The
 * opened plaintext is zeroed as soon as it is decoded; the caller zeroes the body it was given.
 */
final class AssociationBodies {

    /** ECDH on P-256 is several times faster in Bouncy Castle than in the JDK 17 provider. */
    private static final Provider AGREEMENTS = new BouncyCastleProvider();

    private final XmlCodec codec;
    private final SealedBody.Opener opener;

    /** Reads the identity's key once: a PKCS#12 entry is decrypted (PBKDF2) at every read. */
    AssociationBodies(XmlCodec codec, TlsIdentity identity) {
        this.codec = codec;
        this.opener = new SealedBody.Opener(identity.privateKey(), identity.certificate().getPublicKey(), AGREEMENTS);
    }

    /** Whether {@code type} is one of the SA body types. */
    static boolean isAssociation(ContentTypeHeader type) {
        return type != null && ContentTypes.TYPE.equalsIgnoreCase(type.getContentType())
                && (ContentTypes.SEALED_ASSOCIATION_SUBTYPE.equalsIgnoreCase(type.getContentSubType())
                        || ContentTypes.ASSOCIATION_SUBTYPE.equalsIgnoreCase(type.getContentSubType()));
    }

    SecurityAssociation decode(ContentTypeHeader type, byte[] body) throws InvalidBodyException {
        if (!ContentTypes.SEALED_ASSOCIATION_SUBTYPE.equalsIgnoreCase(type.getContentSubType())) {
            return codec.decodeAssociation(body);
        }
        byte[] plain = opener.open(body);
        try {
            return codec.decodeAssociation(plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }
}
