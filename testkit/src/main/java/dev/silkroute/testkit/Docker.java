package dev.silkroute.testkit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.testcontainers.DockerClientFactory;

/** Whether Testcontainers can reach a Docker engine; asked once per JVM and never allowed to hang. */
final class Docker {

  private static final long PROBE_TIMEOUT_SECONDS = 20;
  private static final OncePerJvm<Boolean> AVAILABLE = new OncePerJvm<>("Docker probe", Docker::probe);

  private Docker() {}

  static boolean available() {
    return AVAILABLE.get();
  }

  private static boolean probe() {
    if (!Settings.isTrue(Settings.USE_DOCKER, true)) {
      return false;
    }
    CompletableFuture<Boolean> probe = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        probe.complete(DockerClientFactory.instance().isDockerAvailable());
      } catch (RuntimeException | LinkageError e) {
        // Testcontainers signals "no usable engine" in several ways; all mean: use local instances.
        probe.complete(false);
      }
    }, "silkroute-testkit-docker-probe");
    thread.setDaemon(true);
    thread.start();
    try {
      return probe.get(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      System.err.println("[silkroute-testkit] Docker probe gave no answer within " + PROBE_TIMEOUT_SECONDS
          + " s; using local instances");
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return false;
    }
  }
}
