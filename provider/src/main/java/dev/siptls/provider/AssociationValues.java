package dev.siptls.provider;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The application-layer values of a session built from a security association: the application's own, plus
 * the SA's id, which {@code getValue(}{@value SipTlsProvider#SESSION_VALUE_ASSOCIATION}{@code )} returns but
 * {@code getValueNames()} does not list. BCJSSE keeps a session's values in the map it is given and lists its
 * keys, so a JSSE session of SIP-TLS shows the application only the names it bound itself, as any other does.
 */
final class AssociationValues extends ConcurrentHashMap<String, Object> {

    private static final long serialVersionUID = 1L;

    private final String associationId;

    AssociationValues(String associationId) {
        this.associationId = associationId;
    }

    @Override
    public Object get(Object key) {
        return SipTlsProvider.SESSION_VALUE_ASSOCIATION.equals(key) ? associationId : super.get(key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AssociationValues other && associationId.equals(other.associationId) && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + associationId.hashCode();
    }
}
