package dev.siptls.agent;

/** Where an agent stands with its key server. */
public enum RegistrationState {
    /** Not started, or closed. */
    STOPPED,
    /** Started, first registration not yet complete. */
    CONNECTING,
    /** REGISTER and the policy MESSAGE were accepted; SAs can be requested and received. */
    REGISTERED,
    /** Lost the key server (or was refused by it) and registers again after a backoff. */
    RETRYING
}
