package dev.siptls.provider;

/**
 * Whether {@link BcjsseSessionBridge} fits the bctls on the class path, checked once per JVM for
 * {@link SipTlsProvider#health()}; contexts check again at {@code init} and refuse to start without it.
 */
record BridgeCheck(String bctlsVersion, boolean compatible, String message) {

    private static volatile BridgeCheck result;

    static BridgeCheck get() {
        BridgeCheck r = result;
        if (r == null) {
            r = check();
            result = r;
        }
        return r;
    }

    private static BridgeCheck check() {
        String version = BcjsseSessionBridge.bctlsVersion();
        try {
            BcjsseSessionBridge.forInstalledBctls();
            return new BridgeCheck(version, true, "bctls " + version + ": the BCJSSE session bridge fits"
                    + (BcjsseSessionBridge.REQUIRED_BCTLS.equals(version) ? ""
                    : " (measured against " + BcjsseSessionBridge.REQUIRED_BCTLS + ")"));
        } catch (RuntimeException | LinkageError e) {
            return new BridgeCheck(version, false, e.getMessage());
        }
    }
}
