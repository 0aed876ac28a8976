package dev.siptls.conformance;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Runs another class's {@code main} in a child JVM that must not outlive the test that started it: the JVM
 * halts when its parent process ends (a test runner killed by CI leaves no key server or TLS peer behind) and,
 * in any case, after {@code -Dguard.maxSeconds} (default 300).
 *
 * <p>Usage: {@code java -cp ... dev.siptls.conformance.GuardedMain <main class> <its arguments...>}
 */
public final class GuardedMain {

    private GuardedMain() {
    }

    public static void main(String[] args) throws Throwable {
        long maxSeconds = Long.getLong("guard.maxSeconds", 300);
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> halt("parent ended")));
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(maxSeconds * 1000);
                halt("ran longer than " + maxSeconds + "s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "guard-deadline");
        deadline.setDaemon(true);
        deadline.start();
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void halt(String why) {
        System.err.println("guard: halting (" + why + ")");
        Runtime.getRuntime().halt(3);
    }
}
