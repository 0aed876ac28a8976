package dev.siptls.server.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.AssociationRefusedException;
import dev.siptls.agent.RegistrationState;
import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Agents without their key server: they fail fast, retry, and recover when it comes back. */
class KeyServerOutageFlowTest {

    private static final HostPort WWW = new HostPort("www.example.com", 8443);
    private static final Duration RECOVERY = Duration.ofSeconds(10);

    @Test
    void aRequestWhileTheKeyServerIsDownFailsInsteadOfHanging() throws Exception {
        try (Flows flows = new Flows()) {
            SipTlsAgent alice = flows.client("sip:alice@example.com");
            SipTlsAgent bob = flows.serverAgent("sip:bob@example.com", WWW);
            Flows.awaitRegistered(alice, bob);
            flows.stopServer();

            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> alice.requestAssociation("sip:bob@example.com").get(30, TimeUnit.SECONDS));

            assertTrue(e.getCause() instanceof IOException || e.getCause() instanceof TimeoutException,
                    e.getCause().toString());
        }
    }

    @Test
    void aRequestBeforeRegistrationFailsAtOnceSayingWhy() throws Exception {
        try (Flows flows = new Flows()) {
            flows.stopServer();
            SipTlsAgent alice = flows.client("sip:alice@example.com");

            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> alice.requestAssociation("sip:bob@example.com").get(30, TimeUnit.SECONDS));

            assertInstanceOf(IOException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("not registered")
                    || e.getCause().getMessage().contains("CONNECTING")
                    || e.getCause().getMessage().contains("RETRYING"), e.getCause().getMessage());
        }
    }

    @Test
    void aClosedServerAgentIsReportedUnavailable() throws Exception {
        try (Flows flows = new Flows()) {
            SipTlsAgent alice = flows.client("sip:alice@example.com");
            SipTlsAgent bob = flows.serverAgent("sip:bob@example.com", WWW);
            Flows.awaitRegistered(alice, bob);
            bob.close();

            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> alice.requestAssociation("sip:bob@example.com").get(30, TimeUnit.SECONDS));

            assertEquals(480, assertInstanceOf(AssociationRefusedException.class, e.getCause()).statusCode());
        }
    }

    @Test
    void agentsRegisterAgainAndObtainSasAfterTheKeyServerRestartsOnTheSamePort() throws Exception {
        try (Flows flows = new Flows()) {
            SipTlsAgent alice = flows.client("sip:alice@example.com");
            SipTlsAgent bob = flows.serverAgent("sip:bob@example.com", WWW);
            Flows.awaitRegistered(alice, bob);

            flows.restartServer();
            long restarted = System.nanoTime();

            awaitWithin(RECOVERY, () -> alice.statistics().registrations() == 2
                    && bob.statistics().registrations() == 2
                    && alice.state() == RegistrationState.REGISTERED && bob.state() == RegistrationState.REGISTERED);
            long recoveredMillis = (System.nanoTime() - restarted) / 1_000_000;
            SecurityAssociation sa = alice.requestAssociation("sip:bob@example.com").get(10, TimeUnit.SECONDS);

            assertTrue(bob.associations().bySessionId(sa.sessionId()).isPresent());
            assertEquals(1, alice.statistics().reconnects());
            assertEquals(2, flows.server().statistics().getCurrentRegistrations());
            System.out.println("recovered " + recoveredMillis + " ms after the key server restarted");
        }
    }

    @Test
    void agentsRegisterOnceTheKeyServerComesBackAfterAnOutage() throws Exception {
        try (Flows flows = new Flows()) {
            SipTlsAgent alice = flows.client("sip:alice@example.com");
            Flows.awaitRegistered(alice);
            flows.stopServer();
            awaitWithin(RECOVERY, () -> alice.state() == RegistrationState.RETRYING);

            flows.restartServer();

            assertTrue(alice.awaitRegistered(RECOVERY), alice.lastError().orElse(""));
        }
    }

    /** Polls {@code condition} until it holds, failing the test after {@code bound}. */
    static void awaitWithin(Duration bound, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + bound);
            }
            Thread.sleep(20);
        }
    }
}
