package dev.siptls.server;

/**
 * Who may obtain a security association for whom. The key server asks it for every INVITE, after it has
 * checked that both agents are registered: the rule decides on their proven AORs only.
 */
@FunctionalInterface
public interface AuthorizationRule {

    /** Whether the agent registered as {@code clientAor} may open TLS sessions to {@code serverAor}. */
    boolean permits(String clientAor, String serverAor);

    /** Both AORs in the same domain (host part, compared case-insensitively): the default. */
    static AuthorizationRule sameDomain() {
        return (client, server) -> {
            String a = Aors.domain(client);
            return a != null && a.equals(Aors.domain(server));
        };
    }

    /** Every registered agent may reach every other. */
    static AuthorizationRule anyone() {
        return (client, server) -> true;
    }
}
