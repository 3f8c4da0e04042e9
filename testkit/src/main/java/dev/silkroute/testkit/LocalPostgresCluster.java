package dev.silkroute.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PostgreSQL cluster: initdb into a temporary directory, pg_ctl start on a free port
 * (trust auth, loopback only, no fsync), stopped and deleted when the JVM exits.
 */
final class LocalPostgresCluster {

  private static final long TIMEOUT_SECONDS = 120;

  private LocalPostgresCluster() {}

  static PostgresInstance start() {
    List<Path> binDirs = Binaries.postgresBinDirs();
    Path initdb = Binaries.find("initdb", binDirs).orElseThrow(LocalPostgresCluster::notInstalled);
    Path pgCtl = Binaries.find("pg_ctl", binDirs).orElseThrow(LocalPostgresCluster::notInstalled);
    int port = FreePorts.pick();
    Path dir = createOwnedDirectory();
    Path data = dir.resolve("data");
    Path log = dir.resolve("postgres.log");
    run(List.of(initdb.toString(), "-D", data.toString(), "-U", PostgresSource.DEFAULT_USER, "-A", "trust",
        "-E", "UTF8", "--no-sync"));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        run(List.of(pgCtl.toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
      } catch (IllegalStateException e) {
        System.err.println("[silkroute-testkit] " + e.getMessage());
      }
      Binaries.deleteRecursively(dir);
    }, "silkroute-testkit-postgres-stop"));
    // Durability is pointless for a test cluster that is deleted at exit.
    String options = "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir
        + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    run(List.of(pgCtl.toString(), "-D", data.toString(), "-l", log.toString(), "-o", options,
        "-w", "-t", Long.toString(TIMEOUT_SECONDS), "start"));
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    return new PostgresInstance(url, PostgresSource.DEFAULT_USER, "",
        "PostgreSQL cluster started by " + initdb.getParent() + "/pg_ctl at " + url + " (data " + data + ")", false);
  }

  private static IllegalStateException notInstalled() {
    return new IllegalStateException("No PostgreSQL for tests: nothing accepts user "
        + PostgresSource.DEFAULT_USER + " at 127.0.0.1:5432, no Docker engine, and initdb/pg_ctl are neither on"
        + " the PATH nor in /usr/lib/postgresql/*/bin. Install PostgreSQL (e.g. apt-get install postgresql,"
        + " brew install postgresql) or set " + Settings.POSTGRES_URL + "=jdbc:postgresql://host:port/db");
  }

  /** initdb refuses to run as root; as root, the cluster belongs to the postgres OS user instead. */
  private static boolean asRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static Path createOwnedDirectory() {
    try {
      Path dir = Files.createTempDirectory("silkroute-postgres-");
      if (asRoot()) {
        UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService()
            .lookupPrincipalByName(PostgresSource.DEFAULT_USER);
        Files.setOwner(dir, postgres);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare a directory for a PostgreSQL cluster"
          + (asRoot() ? " owned by OS user postgres (initdb cannot run as root)" : ""), e);
    }
  }

  private static void run(List<String> command) {
    List<String> full = new ArrayList<>();
    if (asRoot()) {
      full.addAll(List.of("runuser", "-u", PostgresSource.DEFAULT_USER, "--"));
    }
    full.addAll(command);
    try {
      Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
      process.getOutputStream().close();
      // pg_ctl sends the server's own output to its -l file, so EOF here means pg_ctl has exited.
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", full) + " did not finish: " + output);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", full) + " exited with " + process.exitValue() + ": " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot run " + String.join(" ", full), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running " + full.get(0), e);
    }
  }
}
