package dev.siptls.server;

import dev.siptls.protocol.HostPort;
import dev.siptls.sip.Flow;
import java.util.HashSet;
import java.util.Set;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The key server's whole state about agents: who is registered on which flow, their policies, which
 * {@code host:port} belongs to whom, and which AORs ended recently (so that a target is told apart as
 * unknown, 404, or not registered now, 480). One lock: every operation is a few map lookups.
 */
final class Registry {

    /** A new registration, a refresh on its connection, or one that moved from another connection still open. */
    enum Outcome { CREATED, REFRESHED, MOVED }

    /**
     * What {@link #register} did: the registration as it is now, and the policy it lost (another certificate
     * registered the AOR), whose bindings the cluster must release.
     */
    record Registered(Outcome outcome, Registration registration, StoredPolicy dropped) {}

    private final Map<String, Registration> active = new HashMap<>();
    private final Map<HostPort, String> bindings = new HashMap<>();
    private final Map<String, Long> ended = new HashMap<>();
    private int policies;
    private long serials;

    /** The live registration of {@code aor}, if any (an expired one not yet swept counts as gone). */
    synchronized Optional<Registration> active(String aor, long nowMillis) {
        Registration r = active.get(aor);
        return r == null || r.isExpired(nowMillis) ? Optional.empty() : Optional.of(r);
    }

    /** Whether {@code aor} is registered, expired but not swept, or ended within the retention time. */
    synchronized boolean known(String aor) {
        return active.containsKey(aor) || ended.containsKey(aor);
    }

    /** The AOR whose accepted policy binds {@code target}. */
    synchronized Optional<String> bindingOwner(HostPort target) {
        return Optional.ofNullable(bindings.get(target));
    }

    /** The connection of a live registration, for routing requests to the agent. */
    synchronized Optional<Flow> flowOf(String aor, long nowMillis) {
        return active(aor, nowMillis).map(Registration::flow);
    }

    /**
     * Binds {@code aor} to a flow until {@code expiresAtMillis}. A refresh keeps the policy if the same
     * certificate proves the AOR again; another certificate (say, a renewed one) must publish its policy anew.
     */
    synchronized Registered register(String aor, Flow flow, byte[] fingerprint, long expiresAtMillis,
            Supplier<byte[]> newChallenge) {
        Registration old = active.get(aor);
        StoredPolicy policy = null;
        StoredPolicy dropped = null;
        byte[] challenge = null;
        boolean sameFlow = old != null && old.flow().equals(flow);
        if (old != null && old.sameCertificate(fingerprint)) {
            policy = old.policy();
            if (sameFlow) {
                challenge = old.challenge();
            }
        } else if (old != null) {
            dropped = old.policy();
            dropPolicy(old);
        }
        Registration now = new Registration(aor, flow, fingerprint, expiresAtMillis, policy,
                challenge != null ? challenge : newChallenge.get(), sameFlow ? old.serial() : ++serials);
        active.put(aor, now);
        ended.remove(aor);
        return new Registered(old == null ? Outcome.CREATED : sameFlow ? Outcome.REFRESHED : Outcome.MOVED, now,
                dropped);
    }

    /** Removes the registration and its policy; the AOR stays known for a while. */
    synchronized Optional<Registration> unregister(String aor, long nowMillis) {
        Registration old = active.remove(aor);
        if (old == null) {
            return Optional.empty();
        }
        dropPolicy(old);
        ended.put(aor, nowMillis);
        return Optional.of(old);
    }

    /**
     * Replaces the policy of a live registration.
     *
     * @return the first binding already held by another AOR (nothing changed then), else empty
     */
    synchronized Optional<HostPort> setPolicy(String aor, StoredPolicy policy, long nowMillis) {
        Registration r = active.get(aor);
        if (r == null || r.isExpired(nowMillis)) {
            throw new IllegalStateException("not registered: " + aor);
        }
        for (HostPort b : policy.bindings()) {
            String owner = bindings.get(b);
            if (owner != null && !owner.equals(aor)) {
                return Optional.of(b);
            }
        }
        dropPolicy(r);
        for (HostPort b : policy.bindings()) {
            bindings.put(b, aor);
        }
        policies++;
        active.put(aor, r.withPolicy(policy));
        return Optional.empty();
    }

    private void dropPolicy(Registration r) {
        if (r.policy() == null) {
            return;
        }
        for (HostPort b : r.policy().bindings()) {
            bindings.remove(b, r.aor());
        }
        policies--;
    }

    /**
     * Ends the registrations expired at {@code nowMillis} and forgets AORs ended before {@code forgetBefore}.
     *
     * @return the registrations that expired now
     */
    synchronized List<Registration> sweep(long nowMillis, long forgetBefore) {
        List<Registration> expired = new ArrayList<>();
        for (Iterator<Registration> it = active.values().iterator(); it.hasNext();) {
            Registration r = it.next();
            if (r.isExpired(nowMillis)) {
                it.remove();
                dropPolicy(r);
                ended.put(r.aor(), nowMillis);
                expired.add(r);
            }
        }
        ended.values().removeIf(at -> at < forgetBefore);
        return expired;
    }

    /** The connections some live registration is bound to. */
    synchronized Set<Flow> heldFlows(long nowMillis) {
        Set<Flow> held = new HashSet<>();
        for (Registration r : active.values()) {
            if (!r.isExpired(nowMillis)) {
                held.add(r.flow());
            }
        }
        return held;
    }

    synchronized int registrations() {
        return active.size();
    }

    synchronized int policies() {
        return policies;
    }
}
