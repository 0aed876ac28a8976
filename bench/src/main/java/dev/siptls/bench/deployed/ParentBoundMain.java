package dev.siptls.bench.deployed;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Runs another class's {@code main} (here {@code sip-tls}'s) in a child JVM that must not outlive the bench that
 * started it, even when the bench is killed with -9 and its shutdown hook never runs: the JVM halts when its
 * parent process ends. Nothing else changes: the arguments go through as they are.
 *
 * <p>Usage: {@code java -cp ... dev.siptls.bench.deployed.ParentBoundMain <main class> <its arguments...>}
 */
public final class ParentBoundMain {

    private ParentBoundMain() {
    }

    public static void main(String[] args) throws Throwable {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("halting: the bench that started this JVM has ended");
            Runtime.getRuntime().halt(3);
        }));
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
