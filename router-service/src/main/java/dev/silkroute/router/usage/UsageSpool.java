package dev.silkroute.router.usage;

import dev.silkroute.proto.v1.UsageEvent;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only file of usage events Kafka could not take, so none is lost while the broker is
 * away. Events are length-delimited protobuf; replaying one twice is harmless because billing
 * writes at most one ledger row per event id.
 */
public final class UsageSpool {

  private final Path file;

  public UsageSpool(Path file) {
    this.file = file;
  }

  public synchronized void append(UsageEvent event) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        event.writeDelimitedTo(out);
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spool usage event " + event.getEventId() + " to " + file, e);
    }
  }

  /**
   * Takes every spooled event out of the spool: the file is moved aside first, so events appended
   * meanwhile go to a fresh file and are not lost.
   */
  public synchronized List<UsageEvent> drain() {
    if (!Files.exists(file)) {
      return List.of();
    }
    Path taken = file.resolveSibling(file.getFileName() + ".replaying");
    try {
      Files.move(file, taken, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      List<UsageEvent> events = new ArrayList<>();
      try (InputStream in = new BufferedInputStream(Files.newInputStream(taken))) {
        UsageEvent event;
        while ((event = UsageEvent.parseDelimitedFrom(in)) != null) {
          events.add(event);
        }
      }
      Files.delete(taken);
      return events;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replay usage spool " + file, e);
    }
  }

  public Path file() {
    return file;
  }
}
