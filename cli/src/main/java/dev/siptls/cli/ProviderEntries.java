package dev.siptls.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code security.provider.N} entries of a set of security properties, as JDK 17's
 * {@code sun.security.jca.ProviderList} reads them: N = 1, 2, 3, ... until the first number that is missing (or
 * whose value is blank: the JDK then prints {@code invalid entry for security.provider.N} to stderr); every
 * entry numbered after that gap is never read. An entry is a provider name or class, then after the first space
 * an argument for {@code Provider.configure}; an entry equal to an earlier one (same name, same argument) is
 * dropped, so a provider's position is its place in the list that is left.
 */
final class ProviderEntries {

    private static final String PREFIX = "security.provider.";
    private static final Pattern KEY = Pattern.compile("security\\.provider\\.([1-9][0-9]*)");

    /** One {@code security.provider.N} line. */
    record Entry(int number, String name, String argument) {
        String key() {
            return PREFIX + number;
        }

        String value() {
            return argument.isEmpty() ? name : name + " " + argument;
        }
    }

    /** An entry the JDK reads, with its position in the provider list (0 if dropped as a duplicate). */
    record Listed(Entry entry, int position) { }

    private final List<Listed> listed;
    private final int gap;
    private final boolean blankAtGap;
    private final List<Entry> ignored;

    private ProviderEntries(List<Listed> listed, int gap, boolean blankAtGap, List<Entry> ignored) {
        this.listed = listed;
        this.gap = gap;
        this.blankAtGap = blankAtGap;
        this.ignored = ignored;
    }

    static boolean isProviderKey(String key) {
        return KEY.matcher(key).matches();
    }

    static ProviderEntries of(Map<String, String> properties) {
        List<Listed> listed = new ArrayList<>();
        List<Entry> distinct = new ArrayList<>();
        int i = 1;
        String value;
        while ((value = properties.get(PREFIX + i)) != null && !value.trim().isEmpty()) {
            Entry entry = entry(i, value);
            boolean duplicate = distinct.stream().anyMatch(e -> sameConfig(e, entry));
            if (!duplicate) {
                distinct.add(entry);
            }
            listed.add(new Listed(entry, duplicate ? 0 : distinct.size()));
            i++;
        }
        boolean blank = value != null;
        TreeMap<Integer, Entry> after = new TreeMap<>();
        for (Map.Entry<String, String> p : properties.entrySet()) {
            Matcher m = KEY.matcher(p.getKey());
            if (m.matches()) {
                int n = parse(m.group(1));
                if (n > i && !p.getValue().trim().isEmpty()) {
                    after.put(n, entry(n, p.getValue()));
                }
            }
        }
        return new ProviderEntries(List.copyOf(listed), i, blank, List.copyOf(after.values()));
    }

    /** Numbers too large for an int are never reached either. */
    private static int parse(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static Entry entry(int number, String value) {
        String v = value.trim();
        int space = v.indexOf(' ');
        return space < 0 ? new Entry(number, v, "") : new Entry(number, v.substring(0, space), v.substring(space + 1).trim());
    }

    /** {@code ProviderConfig.equals}: same name and argument. */
    private static boolean sameConfig(Entry a, Entry b) {
        return a.name().equals(b.name()) && Objects.equals(a.argument(), b.argument());
    }

    /** The entries the JDK reads, in order. */
    List<Listed> listed() {
        return listed;
    }

    /** How many providers the JDK's list holds. */
    int size() {
        return (int) listed.stream().filter(l -> l.position() > 0).count();
    }

    /** The first number the JDK does not read: where a new entry goes. */
    int gap() {
        return gap;
    }

    /** Whether the reading stopped at a blank value rather than a missing one. */
    boolean blankAtGap() {
        return blankAtGap;
    }

    /** Entries numbered beyond the gap: never read. */
    List<Entry> ignored() {
        return ignored;
    }
}
