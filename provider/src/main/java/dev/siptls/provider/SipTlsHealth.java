package dev.siptls.provider;

import dev.siptls.agent.RegistrationState;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link SipTlsProvider#health()} found: whether the BCJSSE session bridge matches the bctls on the
 * class path, and whether the SIP agent is registered with its key server. Immutable; a snapshot.
 */
public final class SipTlsHealth {

    private final boolean configured;
    private final String addressOfRecord;
    private final String bctlsVersion;
    private final boolean bridgeCompatible;
    private final String bridgeMessage;
    private final RegistrationState registration;
    private final String lastError;
    private final int associationsHeld;

    SipTlsHealth(boolean configured, String addressOfRecord, String bctlsVersion, boolean bridgeCompatible,
                 String bridgeMessage, RegistrationState registration, String lastError, int associationsHeld) {
        this.configured = configured;
        this.addressOfRecord = addressOfRecord;
        this.bctlsVersion = Objects.requireNonNull(bctlsVersion);
        this.bridgeCompatible = bridgeCompatible;
        this.bridgeMessage = Objects.requireNonNull(bridgeMessage);
        this.registration = Objects.requireNonNull(registration);
        this.lastError = lastError;
        this.associationsHeld = associationsHeld;
    }

    /** Whether the provider instance has a configuration (see {@link SipTlsProvider#configure(String)}). */
    public boolean configured() {
        return configured;
    }

    /** The agent's AOR; empty if not configured. */
    public Optional<String> addressOfRecord() {
        return Optional.ofNullable(addressOfRecord);
    }

    /** The bctls version found on the class path. */
    public String bctlsVersion() {
        return bctlsVersion;
    }

    /** Whether the session bridge could attach to this bctls. */
    public boolean bridgeCompatible() {
        return bridgeCompatible;
    }

    /** What the bridge check found, in words (what to do, when it failed). */
    public String bridgeMessage() {
        return bridgeMessage;
    }

    /** The agent's registration with its key server; {@code STOPPED} before start and after close. */
    public RegistrationState registration() {
        return registration;
    }

    /** Why the agent is not registered (its last error, or why it is not running). */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** How many SAs the agent holds (client and server side). */
    public int associationsHeld() {
        return associationsHeld;
    }

    /** Configured, bridge compatible and agent registered: SIP-TLS resumptions can happen. */
    public boolean healthy() {
        return problems().isEmpty();
    }

    /** What stands in the way of SIP-TLS resumptions; empty when healthy. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!configured) {
            problems.add("the SipTls provider is not configured: " + SipTlsProvider.HOW_TO_CONFIGURE);
        }
        if (!bridgeCompatible) {
            problems.add(bridgeMessage);
        }
        if (configured && registration != RegistrationState.REGISTERED) {
            problems.add("the SIP agent " + addressOfRecord + " is " + registration
                    + (lastError == null ? "" : ": " + lastError));
        }
        return List.copyOf(problems);
    }

    @Override
    public String toString() {
        return "SipTlsHealth[" + (configured ? addressOfRecord : "unconfigured") + ", bctls " + bctlsVersion
                + ", bridge " + (bridgeCompatible ? "ok" : "INCOMPATIBLE") + ", agent " + registration
                + (lastError == null ? "" : " (" + lastError + ")") + ", SAs held " + associationsHeld + "]";
    }
}
