package dev.siptls.bench.memory;

import dev.siptls.bench.demo.QuietLogs;
import java.time.Duration;
import java.util.Locale;

/**
 * Memory per registered agent and per security association, in the key server and in the agent, against
 * the targets: at most 4 KiB per registration, 1 KiB per SA, and 100,000 registrations within a 512 MiB
 * heap. The key server runs in a child JVM with that heap limit ({@link ForkedKeyServer}); figures are live
 * heap (used after full collections) growth divided by the count.
 *
 * <p>Run: {@code java -cp ... dev.siptls.bench.memory.MemoryBench [agents] [registrations] [associations]
 * [aorsPerConnection]}.
 */
public final class MemoryBench {

    static final long REGISTRATION_TARGET = 4 * 1024;
    static final long ASSOCIATION_TARGET = 1024;
    static final int TARGET_REGISTRATIONS = 100_000;

    /**
     * How much to load the key server and agents with.
     *
     * @param transactionLinger how long to wait after distributing SAs before measuring: JAIN-SIP keeps each
     *     finished INVITE transaction and its dialog for about a minute (64 s measured)
     */
    public record Settings(int agents, int registrations, int associations, int aorsPerConnection, int inFlight,
            Duration transactionLinger) {

        public Settings {
            if (agents < 1 || registrations < 1 || associations < 1 || aorsPerConnection < 1 || inFlight < 1) {
                throw new IllegalArgumentException("every count must be at least 1: " + this);
            }
        }

        /** 200 agents, 100,000 registrations over connections of 500 AORs, 5,000 SAs. */
        public static Settings defaults() {
            return new Settings(200, TARGET_REGISTRATIONS, 5_000, 500, 256, Duration.ofSeconds(75));
        }
    }

    /** The three measurements of one run. */
    record Report(AgentRegistrationMemory.Result agents, ManyRegistrationsMemory.Result registrations,
            AssociationMemory.Result associations) {
    }

    private MemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        Settings d = Settings.defaults();
        Settings settings = new Settings(intArg(args, 0, d.agents()), intArg(args, 1, d.registrations()),
                intArg(args, 2, d.associations()), intArg(args, 3, d.aorsPerConnection()), d.inFlight(), d.transactionLinger());
        try (QuietLogs quiet = new QuietLogs()) {
            print(run(settings));
        }
    }

    private static int intArg(String[] args, int index, int otherwise) {
        return args.length > index ? Integer.parseInt(args[index]) : otherwise;
    }

    static Report run(Settings settings) throws Exception {
        BenchAgents pki = new BenchAgents();
        AgentRegistrationMemory.Result agents = AgentRegistrationMemory.run(pki, settings.agents());
        ManyRegistrationsMemory.Result registrations = ManyRegistrationsMemory.run(pki, settings.registrations(),
                settings.aorsPerConnection(), settings.inFlight());
        AssociationMemory.Result associations = AssociationMemory.run(pki, settings.associations(),
                settings.transactionLinger());
        return new Report(agents, registrations, associations);
    }

    static void print(Report report) {
        AgentRegistrationMemory.Result a = report.agents();
        ManyRegistrationsMemory.Result r = report.registrations();
        AssociationMemory.Result s = report.associations();
        System.out.printf(Locale.ROOT, "Key server in a child JVM, -Xmx%s (%s usable heap); figures are live heap "
                + "(used after System.gc()) growth per item.%n", ForkedKeyServer.MAX_HEAP, mib(r.before().maxBytes()));
        System.out.printf(Locale.ROOT, "%-66s %12s %11s  %s%n", "what", "measured", "target", "");
        row(String.format(Locale.ROOT, "key server: per registered agent, own TLS connection (%,d agents)",
                a.agents()), bytes(a.bytesPerAgent()), "<= 4 KiB",
                a.registered() == a.agents() && a.bytesPerAgent() <= REGISTRATION_TARGET);
        row(String.format(Locale.ROOT, "key server: per registration (%,d AORs over %,d TLS connections)",
                r.registrations(), r.connections()), r.alive() ? bytes(r.bytesPerRegistration()) : "died",
                "<= 4 KiB", r.alive() && r.allAccepted() && r.bytesPerRegistration() <= REGISTRATION_TARGET);
        boolean full = r.registrations() >= TARGET_REGISTRATIONS;
        long projected = r.before().usedBytes() + r.bytesPerRegistration() * TARGET_REGISTRATIONS;
        row(String.format(Locale.ROOT, "key server: live heap with %,d registrations%s", TARGET_REGISTRATIONS,
                full ? "" : " (projected)"), r.alive() ? mib(full ? r.after().usedBytes() : projected) : "died",
                "<= " + mib(r.before().maxBytes()), r.alive() && r.allAccepted()
                        && (full ? r.after().usedBytes() : projected) <= r.before().maxBytes());
        row(String.format(Locale.ROOT, "key server: per SA (%,d SAs relayed; replay cache)", s.associations()),
                bytes(s.keyServerBytesPerAssociation()), "<= 1 KiB",
                s.allHeld() && s.keyServerBytesPerAssociation() <= ASSOCIATION_TARGET);
        row(String.format(Locale.ROOT, "agent: per SA held (%,d SAs in each of 2 agents' stores)", s.associations()),
                bytes(s.agentBytesPerAssociation()), "<= 1 KiB",
                s.allHeld() && s.agentBytesPerAssociation() <= ASSOCIATION_TARGET);
        System.out.printf(Locale.ROOT, "- %,d agents registered, %,d policies; key server threads %d -> %d (%.2f per "
                        + "agent connection: JAIN-SIP's TLS reader; thread stacks are native memory, not heap)%n",
                a.registered(), a.policies(), a.threadsBefore(), a.threadsAfter(), a.threadsPerAgent());
        System.out.printf(Locale.ROOT, "- %,d REGISTER answered 200 in %.1f s (%,.0f/s), %,d policy MESSAGE 200 in "
                        + "%.1f s (%,.0f/s), %,d failed; key server holds %,d registrations, %,d policies; heap "
                        + "%s -> %s; %s%n",
                r.registerOk(), r.registerSeconds(), r.registerOk() / r.registerSeconds(), r.publishOk(),
                r.publishSeconds(), r.publishOk() / r.publishSeconds(), r.failed(), r.counts().registrations(),
                r.counts().policies(), mib(r.before().usedBytes()), r.alive() ? mib(r.after().usedBytes()) : "?",
                r.alive() ? "still answering (no OutOfMemoryError)" : "EXITED (OutOfMemoryError?)");
        System.out.printf(Locale.ROOT, "- SA stores: client %,d, server %,d (incl. %d warm-up), %d failed; measured "
                        + "once JAIN-SIP had dropped the SAs' finished INVITE transactions and dialogs; %d s after "
                        + "the last SA they still cost %,d B per SA in the key server and %,d B per SA per agent%n",
                s.clientStore(), s.serverStore(), s.clientStore() - s.associations(), s.failed(),
                AssociationMemory.JUST_AFTER.toSeconds(), s.keyServerTransientBytesPerAssociation(),
                s.agentTransientBytesPerAssociation());
    }

    private static void row(String what, String measured, String target, boolean met) {
        System.out.printf(Locale.ROOT, "%-66s %12s %11s  %s%n", what, measured, target, met ? "met" : "MISSED");
    }

    private static String bytes(long b) {
        return String.format(Locale.ROOT, "%,d B", b);
    }

    private static String mib(long b) {
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024.0));
    }
}
