package dev.siptls.bench;

/**
 * The size of a load run: {@code clients} client terminals each making {@code connectionsPerClient}
 * connections, round robin over {@code servers} server terminals, at most {@code inFlight} at a time overall.
 */
record Load(int clients, int connectionsPerClient, int servers, int inFlight) {

    /** The issue's run: 200 clients × 50 connections to 20 servers, 16 in flight. */
    static final Load ISSUE = new Load(200, 50, 20, 16);

    Load {
        if (clients < 1 || connectionsPerClient < 1 || servers < 1 || inFlight < 1) {
            throw new IllegalArgumentException("every load parameter must be at least 1: " + this);
        }
    }

    /** {@code [clients] [connectionsPerClient] [servers] [inFlight]}, each defaulting to {@link #ISSUE}'s. */
    static Load parse(String... args) {
        return new Load(arg(args, 0, ISSUE.clients), arg(args, 1, ISSUE.connectionsPerClient),
                arg(args, 2, ISSUE.servers), arg(args, 3, ISSUE.inFlight));
    }

    private static int arg(String[] args, int index, int otherwise) {
        return args.length > index ? Integer.parseInt(args[index]) : otherwise;
    }

    long connections() {
        return (long) clients * connectionsPerClient;
    }

    /** The server the {@code round}-th connection of client {@code client} goes to. */
    int server(int client, int round) {
        return (client + round) % servers;
    }
}
