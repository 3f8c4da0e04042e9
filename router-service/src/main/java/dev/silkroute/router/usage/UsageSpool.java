package dev.silkroute.router.usage;

import dev.silkroute.proto.v1.UsageEvent;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only file of usage events Kafka could not take, so none is lost while the broker is
 * away. Each record is {@code [int length][int crc32c][UsageEvent bytes]} and is forced to disk
 * before {@link #append} returns: spooling happens only while Kafka is failing, so durability wins
 * over speed. A torn last record (a crash mid-write) is detected by its length or checksum and set
 * aside, never replayed as garbage. Replaying an event twice is harmless: billing writes at most one
 * ledger row per event id.
 */
public final class UsageSpool {

  private static final Logger LOG = LoggerFactory.getLogger(UsageSpool.class);
  private static final int HEADER_BYTES = 8;

  private final Path file;
  private final long maxBytes;

  /**
   * @param maxBytes the spool's capacity; when it is reached, {@link #full()} turns true and the
   *                 router refuses new requests rather than serve them unbilled
   */
  public UsageSpool(Path file, long maxBytes) {
    if (maxBytes <= HEADER_BYTES) {
      throw new IllegalArgumentException("spool capacity must be more than " + HEADER_BYTES + " bytes, got " + maxBytes);
    }
    this.file = file;
    this.maxBytes = maxBytes;
  }

  public synchronized void append(UsageEvent event) {
    byte[] bytes = event.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + bytes.length)
        .putInt(bytes.length).putInt((int) crc.getValue()).put(bytes).flip();
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND)) {
        while (record.hasRemaining()) {
          channel.write(record);
        }
        channel.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spool usage event " + event.getEventId() + " to " + file, e);
    }
  }

  /** Bytes in the spool now (0 when it is empty). */
  public synchronized long bytes() {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return -1;
    }
  }

  /** True when the spool holds as much as it may. */
  public synchronized boolean full() {
    try {
      return Files.exists(file) && Files.size(file) >= maxBytes;
    } catch (IOException e) {
      return true; // a spool we cannot even measure cannot be trusted with more events
    }
  }

  /**
   * Takes every spooled event out of the spool, in the order they were spooled. The file is moved
   * aside first, so events appended meanwhile go to a fresh file and are not lost.
   */
  public synchronized List<UsageEvent> drain() {
    if (!Files.exists(file)) {
      return List.of();
    }
    Path taken = file.resolveSibling(file.getFileName() + ".replaying");
    try {
      if (!Files.exists(taken)) {
        Files.move(file, taken, StandardCopyOption.ATOMIC_MOVE);
      } else {
        // A replay died half-way (crash): finish that one first; this file waits for the next drain.
        LOG.warn("resuming an interrupted spool replay from {}", taken);
      }
      List<UsageEvent> events = read(taken);
      Files.delete(taken);
      return events;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replay usage spool " + file, e);
    }
  }

  private List<UsageEvent> read(Path spooled) throws IOException {
    List<UsageEvent> events = new ArrayList<>();
    try (InputStream in = Files.newInputStream(spooled);
         DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in))) {
      while (true) {
        int length;
        try {
          length = data.readInt();
        } catch (EOFException end) {
          return events;
        }
        int expectedCrc = data.readInt();
        if (length < 0 || length > maxBytes) {
          return setAsideTail(spooled, events, "impossible record length " + length);
        }
        byte[] bytes = new byte[length];
        try {
          data.readFully(bytes);
        } catch (EOFException torn) {
          return setAsideTail(spooled, events, "record cut short");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        if ((int) crc.getValue() != expectedCrc) {
          return setAsideTail(spooled, events, "checksum mismatch");
        }
        events.add(UsageEvent.parseFrom(bytes));
      }
    } catch (EOFException tornHeader) {
      return setAsideTail(spooled, events, "record header cut short");
    }
  }

  private List<UsageEvent> setAsideTail(Path spooled, List<UsageEvent> good, String why) throws IOException {
    Path corrupt = spooled.resolveSibling(file.getFileName() + "." + System.currentTimeMillis() + ".corrupt");
    Files.copy(spooled, corrupt);
    LOG.error("usage spool {} is damaged after {} good events ({}); the file is kept as {} for inspection",
        spooled, good.size(), why, corrupt);
    return good;
  }

  public Path file() {
    return file;
  }
}
