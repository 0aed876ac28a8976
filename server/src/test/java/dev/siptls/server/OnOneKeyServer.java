package dev.siptls.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class whose tests share one key server ({@link Fixture}): started before the first test, closed after
 * the last. The tests use AORs of their own, so they do not see each other's registrations.
 */
abstract class OnOneKeyServer {

    static Fixture fixture;

    @BeforeAll
    static void startKeyServer() throws Exception {
        fixture = new Fixture();
    }

    @AfterAll
    static void closeKeyServer() {
        fixture.close();
    }
}
