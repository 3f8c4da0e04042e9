package dev.silkroute.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The repository's own files the manifests are checked against. */
final class Repo {

  /** Surefire runs in deploy/k8s-test. */
  static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

  private static final Pattern CATALOG_VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");

  private Repo() {
  }

  static String read(String path) {
    try {
      return Files.readString(ROOT.resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode catalog() {
    return Kustomize.readOne(ROOT.resolve("deploy/catalog.yaml"));
  }

  /** Environment variables deploy/catalog.yaml reads: ${VAR} in its values and every api_key_env. */
  static Set<String> catalogEnvironment() {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = CATALOG_VAR.matcher(read("deploy/catalog.yaml"));
    while (m.find()) {
      names.add(m.group(1));
    }
    catalog().path("providers").forEach(p -> {
      if (p.hasNonNull("api_key_env")) {
        names.add(p.get("api_key_env").asText());
      }
    });
    return names;
  }

  static String dockerfile() {
    return read("deploy/docker/Dockerfile");
  }

  /** The port the Dockerfile's provider-sim stage passes to --port, or -1 when it passes none. */
  static int providerSimPort() {
    Matcher m = Pattern.compile("AS provider-sim[\\s\\S]*?ENTRYPOINT \\[.*\"--port\", \"(\\d+)\"").matcher(dockerfile());
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Every main Java source of a module, concatenated. */
  static String sources(String module) {
    try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
      StringBuilder all = new StringBuilder();
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        all.append(Files.readString(f));
      }
      return all.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
