package dev.siptls.bench.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who connects to whom in one of the paper's cases (§4.1): terminals numbered from 1, applications from
 * 1, and the links, each a client application on one terminal connecting to the same application on
 * another. Every link is its own TLS session.
 *
 * @param name      "Case 1" or "Case 2"
 * @param terminals how many terminals take part
 * @param links     in the order they are connected in each round
 */
record Topology(String name, int terminals, int applications, List<Link> links) {

    /** A client application on {@code client} connecting to the same application on {@code server}. */
    record Link(int client, int server, int application) {
    }

    Topology {
        links = List.copyOf(links);
    }

    /** Case 1: one TLS client and one TLS server terminal, {@code m} applications, one session each. */
    static Topology case1(int m) {
        List<Link> links = new ArrayList<>();
        for (int a = 1; a <= m; a++) {
            links.add(new Link(2, 1, a));
        }
        return new Topology("Case 1", 2, m, links);
    }

    /** Case 2: {@code n} terminals running one application, every pair connected both ways. */
    static Topology case2(int n) {
        List<Link> links = new ArrayList<>();
        for (int c = 1; c <= n; c++) {
            for (int s = 1; s <= n; s++) {
                if (c != s) {
                    links.add(new Link(c, s, 1));
                }
            }
        }
        return new Topology("Case 2", n, 1, links);
    }

    /** The applications {@code terminal} serves as TLS server. */
    Set<Integer> served(int terminal) {
        Set<Integer> out = new TreeSet<>();
        links.stream().filter(l -> l.server() == terminal).forEach(l -> out.add(l.application()));
        return out;
    }

    /** The applications {@code terminal} runs as TLS client. */
    Set<Integer> clients(int terminal) {
        Set<Integer> out = new TreeSet<>();
        links.stream().filter(l -> l.client() == terminal).forEach(l -> out.add(l.application()));
        return out;
    }
}
