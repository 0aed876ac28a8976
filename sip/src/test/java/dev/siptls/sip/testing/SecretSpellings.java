package dev.siptls.sip.testing;

import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** The text spellings a secret may be written in (in logs, in XML bodies), by name. */
final class SecretSpellings {

    private SecretSpellings() {
    }

    /** Lower and upper hex, base64 and base64url (unpadded), keyed by a name a failing test may print. */
    static Map<String, String> of(byte[] secret) {
        Map<String, String> spellings = new LinkedHashMap<>();
        spellings.put("hex", HexFormat.of().formatHex(secret));
        spellings.put("upper-case hex", HexFormat.of().withUpperCase().formatHex(secret));
        spellings.put("base64", Base64.getEncoder().withoutPadding().encodeToString(secret));
        spellings.put("base64url", Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
        return spellings;
    }
}
