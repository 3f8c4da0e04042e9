package dev.silkroute.localkafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The broker's runtime classpath: the jars maven-dependency-plugin listed in
 * {@code silkroute/kafka.classpath} at build time (absolute paths in the local Maven repository),
 * plus this module's own classes for {@link ExitWithParent}.
 */
final class BrokerClasspath {

  static final String RESOURCE = "/silkroute/kafka.classpath";

  private BrokerClasspath() {}

  static String resolve() {
    List<String> entries = new ArrayList<>(listedJars());
    entries.add(ownLocation().toString());
    return String.join(java.io.File.pathSeparator, entries);
  }

  private static List<String> listedJars() {
    String listing;
    try (InputStream in = LocalKafka.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new LocalKafkaException("Resource " + RESOURCE + " is missing from the classpath: build"
            + " deploy/local-kafka with Maven (mvn -pl deploy/local-kafka install), which generates it");
      }
      listing = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + RESOURCE, e);
    }
    List<String> jars = new ArrayList<>();
    for (String entry : listing.split(java.io.File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      if (!Files.exists(Path.of(entry))) {
        // The listing names jars in the local Maven repository of the machine that built it.
        throw new LocalKafkaException("Broker jar " + entry + " listed in " + RESOURCE + " does not exist;"
            + " rebuild deploy/local-kafka on this machine (mvn -pl deploy/local-kafka install)");
      }
      jars.add(entry);
    }
    if (jars.isEmpty()) {
      throw new LocalKafkaException(RESOURCE + " lists no jars");
    }
    return jars;
  }

  private static Path ownLocation() {
    try {
      return Path.of(LocalKafka.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new LocalKafkaException("Cannot locate the jar or directory holding " + LocalKafka.class, e);
    }
  }
}
