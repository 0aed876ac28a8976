package dev.siptls.provider.system;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test the {@linkplain SipTlsWorld#shared shared world} as a parameter, and closes the terminals a
 * test made after it (their agents unregister and stop), leaving the key server for the next test.
 */
final class SharedWorld implements ParameterResolver, AfterEachCallback {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SipTlsWorld.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        try {
            return SipTlsWorld.shared(context);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the shared key server", e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        SipTlsWorld.shared(context).closeTerminals();
    }
}
