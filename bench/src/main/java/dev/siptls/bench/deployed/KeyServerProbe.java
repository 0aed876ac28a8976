package dev.siptls.bench.deployed;

import com.sun.management.OperatingSystemMXBean;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Reads another JVM's figures over JMX, reached through the attach API (the JVM's local management agent,
 * started on attach: the key server needs no JVM option for it): its process CPU time, its heap after full
 * collections, and the key server's own statistics MBean. The management agent adds its own threads and
 * a little heap to the key server; both are constant over a run.
 */
public final class KeyServerProbe implements AutoCloseable {

    private static final int COLLECTIONS = 3;

    private final JMXConnector connector;
    private final MBeanServerConnection connection;
    private final OperatingSystemMXBean os;
    private final MemoryMXBean memory;
    private final ObjectName statistics;

    private KeyServerProbe(JMXConnector connector, String name) throws IOException {
        this.connector = connector;
        this.connection = connector.getMBeanServerConnection();
        this.os = ManagementFactory.newPlatformMXBeanProxy(connection, ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME,
                OperatingSystemMXBean.class);
        this.memory = ManagementFactory.newPlatformMXBeanProxy(connection, ManagementFactory.MEMORY_MXBEAN_NAME,
                MemoryMXBean.class);
        try {
            this.statistics = new ObjectName("dev.siptls:type=KeyServer,name=" + name);
        } catch (JMException e) {
            throw new IOException(e);
        }
    }

    static KeyServerProbe attach(long pid) throws IOException {
        return attach(pid, CliKeyServer.NAME);
    }

    /** The figures of the key server named {@code name} (its {@code name} setting) in process {@code pid}. */
    public static KeyServerProbe attach(long pid, String name) throws IOException {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (com.sun.tools.attach.AttachNotSupportedException e) {
            throw new IOException("cannot attach to the key server process " + pid + ": " + e.getMessage(), e);
        }
        try {
            String url = vm.startLocalManagementAgent();
            return new KeyServerProbe(JMXConnectorFactory.connect(new JMXServiceURL(url)), name);
        } finally {
            vm.detach();
        }
    }

    /** CPU time the key server's process has used so far, all threads, user and system. */
    public long cpuNanos() {
        return os.getProcessCpuTime();
    }

    /** Heap used right after full collections: what stays reachable. */
    long liveHeapBytes() throws InterruptedException {
        for (int i = 0; i < COLLECTIONS; i++) {
            memory.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    long maxHeapBytes() {
        return memory.getHeapMemoryUsage().getMax();
    }

    /** SAs the key server says it issued (its statistics MBean). */
    public long associationsIssued() throws IOException {
        return counter("SecurityAssociationsIssued");
    }

    /** A number of the key server's statistics MBean, by attribute name, e.g. {@code RelayedToNodes}. */
    public long counter(String attribute) throws IOException {
        try {
            return ((Number) connection.getAttribute(statistics, attribute)).longValue();
        } catch (JMException e) {
            throw new IOException("the key server's statistics MBean " + statistics + ": " + e.getMessage(), e);
        }
    }

    /** The key server's refusals by {@code "<status> <reason-key>"}. */
    public java.util.Map<String, Long> refusals() throws IOException {
        try {
            Object value = connection.getAttribute(statistics, "Refusals");
            java.util.Map<String, Long> out = new java.util.TreeMap<>();
            if (value instanceof javax.management.openmbean.TabularData table) {
                for (Object row : table.values()) {
                    javax.management.openmbean.CompositeData entry = (javax.management.openmbean.CompositeData) row;
                    out.put((String) entry.get("key"), ((Number) entry.get("value")).longValue());
                }
            }
            return out;
        } catch (JMException e) {
            throw new IOException("the key server's statistics MBean " + statistics + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the key server is gone
        }
    }
}
