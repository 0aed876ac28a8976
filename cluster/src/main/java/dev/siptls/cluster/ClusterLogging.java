package dev.siptls.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.infinispan.partitionhandling.AvailabilityException;
import org.jgroups.Global;
import org.jgroups.logging.LogFactory;

/**
 * Keeps Infinispan and JGroups quiet by default and in the same place as SIP-TLS's own logs. Infinispan logs
 * through JBoss Logging, which would pick whatever backend it finds first (log4j 1 is on a key server's class path
 * for JAIN-SIP); JGroups picks log4j2 or SLF4J when present. Both are sent to java.util.logging, where
 * {@code System.Logger} writes too (stderr, never stdout, with the default handler), at WARNING.
 *
 * <p>Only where the deployer chose nothing: a JBoss Logging provider or a JGroups logger named by system property
 * stays, and a logger (or a named ancestor) with a level of its own keeps it. The loggers set here are held
 * strongly, since java.util.logging holds loggers weakly and would forget the level with the logger.
 *
 * <p>No password reaches either: the TLS context between nodes is built in memory ({@link ClusterStack}).
 */
final class ClusterLogging {

    static final String JBOSS_LOGGING_PROVIDER = "org.jboss.logging.provider";
    static final List<String> QUIET = List.of("org.infinispan", "org.jgroups", "org.jboss");

    /**
     * Where Infinispan logs every failed cache command (at ERROR, and at WARN when it came from another node, with
     * the command's key and value).
     */
    static final List<String> COMMAND_ERRORS = List.of("org.infinispan.interceptors.impl.InvocationContextInterceptor",
            "org.infinispan.remoting.inboundhandler.BasePerCacheInboundInvocationHandler");

    private static final List<Logger> HELD = new ArrayList<>();

    private ClusterLogging() {
    }

    /** Sets the defaults once per JVM, before Infinispan or JGroups first logs. */
    static synchronized void quietByDefault() {
        if (!HELD.isEmpty()) {
            return;
        }
        if (System.getProperty(JBOSS_LOGGING_PROVIDER) == null) {
            System.setProperty(JBOSS_LOGGING_PROVIDER, "jdk");
        }
        if (System.getProperty(Global.USE_JDK_LOGGER) == null && System.getProperty(Global.LOG_CLASS) == null
                && LogFactory.getCustomLogFactory() == null) {
            LogFactory.useJdkLogger(true);
        }
        for (String name : QUIET) {
            Logger logger = Logger.getLogger(name);
            HELD.add(logger);
            if (!levelConfigured(logger)) {
                logger.setLevel(Level.WARNING);
            }
        }
        for (String name : COMMAND_ERRORS) {
            Logger commands = Logger.getLogger(name);
            HELD.add(commands);
            if (commands.getFilter() == null) {
                commands.setFilter(ClusterLogging::notARefusal);
            }
        }
    }

    /**
     * Drops Infinispan's error record (with stack trace) of a command refused on a minority side: the caller gets
     * a {@code StateUnavailableException} for it, and a key server refusing every request would log each one.
     */
    private static boolean notARefusal(LogRecord record) {
        for (Throwable t = record.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AvailabilityException) {
                return false;
            }
        }
        return true;
    }

    private static boolean levelConfigured(Logger logger) {
        for (Logger l = logger; l != null && !l.getName().isEmpty(); l = l.getParent()) {
            if (l.getLevel() != null) {
                return true;
            }
        }
        return false;
    }
}
