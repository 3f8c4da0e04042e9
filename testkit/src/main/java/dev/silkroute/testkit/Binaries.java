package dev.silkroute.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds server executables and cleans up after them. */
final class Binaries {

  private Binaries() {}

  /** The first executable {@code name} in {@code extraDirs} or, failing that, on the PATH. */
  static Optional<Path> find(String name, List<Path> extraDirs) {
    List<Path> dirs = new ArrayList<>(extraDirs);
    for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        dirs.add(Path.of(entry));
      }
    }
    return dirs.stream().map(dir -> dir.resolve(name)).filter(Files::isExecutable).findFirst();
  }

  /** PostgreSQL's Debian layout: /usr/lib/postgresql/VERSION/bin, newest version first. */
  static List<Path> postgresBinDirs() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .sorted(Comparator.comparing((Path p) -> majorVersion(p.getFileName().toString())).reversed())
          .map(version -> version.resolve("bin"))
          .filter(Files::isDirectory)
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static int majorVersion(String name) {
    try {
      return Integer.parseInt(name.split("\\.")[0]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("[silkroute-testkit] Could not delete " + dir + ": " + e.getMessage());
    }
  }
}
