package dev.silkroute.localkafka;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;

/**
 * Entry point of the broker JVM: {@code ExitWithParent <parent pid> <main class> <args...>} runs the
 * main class and exits (running Kafka's own shutdown hook) when the parent process is gone. A test
 * JVM killed with SIGKILL runs no shutdown hook, and without this its broker would live on.
 */
public final class ExitWithParent {

  private ExitWithParent() {}

  public static void main(String[] args) throws Throwable {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: ExitWithParent <parent pid> <main class> [args...]");
    }
    long parentPid = Long.parseLong(args[0]);
    Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
    if (parent.isEmpty()) {
      System.err.println("Parent process " + parentPid + " is already gone; not starting " + args[1]);
      System.exit(1);
    }
    parent.get().onExit().thenRun(() -> {
      System.err.println("Parent process " + parentPid + " exited; stopping " + args[1]);
      System.exit(0);
    });
    Method main = Class.forName(args[1]).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
