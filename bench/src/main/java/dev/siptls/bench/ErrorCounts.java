package dev.siptls.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Failures counted by kind (exception class and message), so a report can say what went wrong how often. */
final class ErrorCounts {

    private static final int MAX_MESSAGE = 160;

    private final Map<String, LongAdder> byKind = new ConcurrentHashMap<>();

    void record(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "...";
        }
        byKind.computeIfAbsent(failure.getClass().getSimpleName() + ": " + message, k -> new LongAdder()).increment();
    }

    long total() {
        return byKind.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> byKind() {
        Map<String, Long> out = new TreeMap<>();
        byKind.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
