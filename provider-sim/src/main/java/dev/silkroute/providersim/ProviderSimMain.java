package dev.silkroute.providersim;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * {@code java -jar silkroute-provider-sim-*-all.jar [--port 8090] [--host 0.0.0.0] [--config file.yaml]}.
 * The port comes from {@code --port}, else the file's {@code port}, else 8090; without {@code --config}
 * the bundled default providers are served.
 */
public final class ProviderSimMain {

  static final int DEFAULT_PORT = 8090;

  private ProviderSimMain() {}

  public static void main(String[] args) throws InterruptedException {
    Integer port = null;
    String host = "0.0.0.0";
    Path config = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
        case "--host" -> host = value(args, ++i, "--host");
        case "--config" -> config = Path.of(value(args, ++i, "--config"));
        case "-h", "--help" -> {
          System.out.println("usage: provider-sim [--port N (default 8090, 0 = any free port)]"
              + " [--host ADDRESS (default 0.0.0.0)] [--config providers.yaml]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; try --help");
      }
    }
    SimConfig simConfig = config == null ? SimConfig.defaults() : SimConfig.fromFile(config);
    int chosenPort = port != null ? port : simConfig.port() != null ? simConfig.port() : DEFAULT_PORT;
    ProviderSim sim = ProviderSim.start(host, chosenPort, simConfig.providers(), java.time.Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sim.close();
      stopped.countDown();
    }, "provider-sim-shutdown"));
    System.out.println("provider-sim listening on " + sim.url() + " (" + host + ":" + sim.port() + ") with "
        + sim.providers().stream()
            .map(p -> p.name() + "[" + p.protocol().wireName() + "]")
            .collect(Collectors.joining(", ")));
    stopped.await();
  }

  private static String value(String[] args, int index, String flag) {
    if (index >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[index];
  }
}
