package dev.siptls.sip;

import java.io.IOException;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The connections a listener accepted and that are still open, so that closing the listener ends them. */
final class AcceptedSockets {

    private static final int PRUNE_EVERY = 1024;

    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger added = new AtomicInteger();

    Socket add(Socket socket) {
        if (added.incrementAndGet() % PRUNE_EVERY == 0) {
            open.removeIf(Socket::isClosed);
        }
        open.add(socket);
        return socket;
    }

    void closeAll() {
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        open.clear();
    }
}
