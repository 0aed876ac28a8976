package dev.siptls.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * Key servers found by DNS SRV records (RFC 3263 section 4.2, RFC 2782), e.g. {@code _sips._tcp.example.com},
 * looked up through the JDK's JNDI DNS provider at every round: targets by priority, then weighted random within
 * a priority; each target resolved to its addresses (A, then AAAA) through the same resolver. The target a round
 * follows ({@code lastTried}) goes last, so a lost key server is the last one tried again. A certificate must
 * prove the given name, or by default the SRV target's host name.
 */
final class SrvKeyServers implements KeyServerList {

    private static final String FACTORY = "com.sun.jndi.dns.DnsContextFactory";

    private final String srvName;
    private final String resolver;
    private final String name;
    private final DoubleSupplier random;

    /**
     * @param srvName  the SRV owner name, e.g. {@code _sips._tcp.example.com}
     * @param resolver {@code dns://host[:port]} of the DNS server to ask; null: the system's
     * @param name     what every key server's certificate must prove; null: the SRV target's host name
     */
    SrvKeyServers(String srvName, String resolver, String name, DoubleSupplier random) {
        this.srvName = checkedName(srvName);
        this.resolver = resolver == null ? null : checkedResolver(resolver);
        this.name = name;
        this.random = Objects.requireNonNull(random, "random");
    }

    /** An SRV owner name: labels, the first two {@code _service._proto}. */
    static String checkedName(String srvName) {
        Objects.requireNonNull(srvName, "SRV name");
        String n = srvName.endsWith(".") ? srvName.substring(0, srvName.length() - 1) : srvName;
        String[] labels = n.split("\\.", -1);
        if (labels.length < 3 || !labels[0].startsWith("_") || !labels[1].startsWith("_")) {
            throw new IllegalArgumentException("'" + srvName + "' is not an SRV name like _sips._tcp.example.com");
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || !label.matches("_?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?")) {
                throw new IllegalArgumentException("'" + srvName + "' is not an SRV name like _sips._tcp.example.com");
            }
        }
        return n.toLowerCase(Locale.ROOT);
    }

    /** {@code dns://host[:port]}, as JNDI's DNS provider takes it. */
    static String checkedResolver(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("'" + url + "' is not a DNS resolver URL like dns://127.0.0.1:53");
        }
        if (!"dns".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null
                || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
                || uri.getQuery() != null || uri.getUserInfo() != null) {
            throw new IllegalArgumentException("'" + url + "' is not a DNS resolver URL like dns://127.0.0.1:53");
        }
        return "dns://" + uri.getRawAuthority();
    }

    @Override
    public List<KeyServerTarget> round(KeyServerTarget lastTried) throws IOException {
        List<SrvRecord> records = lookUp();
        List<KeyServerTarget> round = new ArrayList<>();
        KeyServerTarget demoted = null;
        for (SrvRecord r : order(records, random)) {
            for (InetAddress address : addresses(r.target())) {
                KeyServerTarget t = new KeyServerTarget(new InetSocketAddress(address, r.port()),
                        name != null ? name : r.target());
                if (t.equals(lastTried)) {
                    demoted = t;
                } else if (!round.contains(t)) {
                    round.add(t);
                }
            }
        }
        if (demoted != null) {
            round.add(demoted);
        }
        if (round.isEmpty()) {
            throw new IOException("no address for any SRV target of " + srvName);
        }
        return round;
    }

    /** One SRV record. */
    record SrvRecord(int priority, int weight, int port, String target) {
    }

    /** RFC 2782's order: priority ascending; within one, weighted random, zero weights placed first. */
    static List<SrvRecord> order(List<SrvRecord> records, DoubleSupplier random) {
        List<SrvRecord> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(SrvRecord::priority));
        List<SrvRecord> out = new ArrayList<>(sorted.size());
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j < sorted.size() && sorted.get(j).priority() == sorted.get(i).priority()) {
                j++;
            }
            List<SrvRecord> group = new ArrayList<>(sorted.subList(i, j));
            group.sort(Comparator.comparingInt(r -> r.weight() == 0 ? 0 : 1));
            while (!group.isEmpty()) {
                long sum = 0;
                for (SrvRecord r : group) {
                    sum += r.weight();
                }
                long pick = (long) Math.floor(random.getAsDouble() * (sum + 1));
                long running = 0;
                int chosen = group.size() - 1;
                for (int k = 0; k < group.size(); k++) {
                    running += group.get(k).weight();
                    if (running >= pick) {
                        chosen = k;
                        break;
                    }
                }
                out.add(group.remove(chosen));
            }
            i = j;
        }
        return out;
    }

    private List<SrvRecord> lookUp() throws IOException {
        List<SrvRecord> records = new ArrayList<>();
        for (String value : query(srvName, "SRV")) {
            String[] f = value.trim().split("\\s+");
            if (f.length != 4) {
                continue;
            }
            try {
                String target = f[3].endsWith(".") ? f[3].substring(0, f[3].length() - 1) : f[3];
                if (target.isEmpty()) {
                    continue; // "." : the service is decidedly not available at this domain
                }
                records.add(new SrvRecord(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                        target.toLowerCase(Locale.ROOT)));
            } catch (NumberFormatException e) {
                // not an SRV record's text: skipped
            }
        }
        if (records.isEmpty()) {
            throw new IOException("no usable SRV record for " + srvName);
        }
        return records;
    }

    /** The target's addresses by this resolver; with no resolver given, by the system's (hosts file included) too. */
    private List<InetAddress> addresses(String host) {
        List<InetAddress> out = new ArrayList<>();
        for (String type : new String[]{"A", "AAAA"}) {
            try {
                for (String value : query(host, type)) {
                    out.add(InetAddress.getByName(value.trim()));
                }
            } catch (IOException e) {
                // no such record, or no answer: the other type or the system may still know it
            }
        }
        if (out.isEmpty() && resolver == null) {
            try {
                out.addAll(List.of(InetAddress.getAllByName(host)));
            } catch (UnknownHostException | SecurityException e) {
                // no address: this target is left out of the round
            }
        }
        return out;
    }

    private List<String> query(String owner, String type) throws IOException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(DirContext.INITIAL_CONTEXT_FACTORY, FACTORY);
        if (resolver != null) {
            env.put(DirContext.PROVIDER_URL, resolver);
        }
        // JNDI's default waits up to 15 s (1 s doubled over 4 retries); a round must not stall that long.
        env.put("com.sun.jndi.dns.timeout.initial", "500");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        DirContext context = null;
        try {
            context = new InitialDirContext(env);
            Attributes attributes = context.getAttributes(owner + ".", new String[]{type});
            Attribute attribute = attributes.get(type);
            List<String> values = new ArrayList<>();
            if (attribute != null) {
                NamingEnumeration<?> all = attribute.getAll();
                while (all.hasMore()) {
                    values.add(String.valueOf(all.next()));
                }
            }
            return values;
        } catch (NamingException e) {
            throw new IOException("cannot look up " + type + " " + owner + (resolver == null ? "" : " at " + resolver)
                    + ": " + e.getClass().getSimpleName() + (e.getExplanation() == null ? "" : " " + e.getExplanation()),
                    e);
        } finally {
            if (context != null) {
                try {
                    context.close();
                } catch (NamingException e) {
                    // nothing held
                }
            }
        }
    }

    @Override
    public String describe() {
        return "srv:" + srvName + (resolver == null ? "" : " via " + resolver);
    }
}
