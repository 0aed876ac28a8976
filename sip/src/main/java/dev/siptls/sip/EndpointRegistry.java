package dev.siptls.sip;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JAIN-SIP instantiates its network layer and router by class name with fixed constructors, so they find
 * their endpoint's configuration here, by the stack's unique name.
 */
final class EndpointRegistry {

    private static final Map<String, SipEndpointConfig> CONFIGS = new ConcurrentHashMap<>();

    private EndpointRegistry() {
    }

    static void register(String stackName, SipEndpointConfig config) {
        CONFIGS.put(stackName, config);
    }

    static void unregister(String stackName) {
        CONFIGS.remove(stackName);
    }

    static SipEndpointConfig lookup(String stackName) {
        SipEndpointConfig config = CONFIGS.get(stackName);
        if (config == null) {
            throw new IllegalStateException("no SIP endpoint configured for stack " + stackName);
        }
        return config;
    }
}
