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
import java.util.Optional;
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
 *
 * <p>Written by one thread at a time (the {@link UsagePublisher}'s); {@link #full()} and
 * {@link #bytes()} read a field, so request threads never wait on a write's fsync.
 */
public final class UsageSpool {

  private static final Logger LOG = LoggerFactory.getLogger(UsageSpool.class);
  private static final int HEADER_BYTES = 8;

  private final Path file;
  private final long maxBytes;
  /** The file's size, kept by the writers so readers need no lock and no system call. */
  private volatile long bytes;

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
    this.bytes = sizeOf(file);
  }

  private static long sizeOf(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the usage spool " + file, e);
    }
  }

  public void append(UsageEvent event) {
    appendAll(List.of(event));
  }

  /**
   * Appends the events in order and forces them to disk once, before returning: a burst written
   * while Kafka is away costs one fsync, not one per event.
   */
  public synchronized void appendAll(List<UsageEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    ByteBuffer[] records = new ByteBuffer[events.size()];
    long length = 0;
    for (int i = 0; i < records.length; i++) {
      records[i] = record(events.get(i));
      length += records[i].remaining();
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND)) {
        long written = 0;
        while (written < length) {
          written += channel.write(records);
        }
        channel.force(false);
        bytes = channel.size();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spool " + events.size() + " usage events (first "
          + events.get(0).getEventId() + ") to " + file, e);
    }
  }

  private static ByteBuffer record(UsageEvent event) {
    byte[] payload = event.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return ByteBuffer.allocate(HEADER_BYTES + payload.length)
        .putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
  }

  /** Bytes in the spool now (0 when it is empty). Never waits for a write in progress. */
  public long bytes() {
    return bytes;
  }

  /**
   * True when the spool holds as much as it may. Read on every request's admission, so it reads a
   * field and never waits for an append's fsync.
   */
  public boolean full() {
    return bytes >= maxBytes;
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
      bytes = sizeOf(file);
      List<UsageEvent> events = read(taken);
      Files.delete(taken);
      return events;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replay usage spool " + file, e);
    }
  }

  /**
   * The oldest spooled event, left in place; empty when the spool is empty or its first record is
   * damaged (a {@link #drain} then sets it aside).
   */
  public synchronized Optional<UsageEvent> oldest() {
    if (bytes == 0) {
      return Optional.empty();
    }
    try (DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      int length = data.readInt();
      int expectedCrc = data.readInt();
      if (length < 0 || length > maxBytes) {
        return Optional.empty();
      }
      byte[] payload = new byte[length];
      data.readFully(payload);
      CRC32C crc = new CRC32C();
      crc.update(payload);
      return (int) crc.getValue() == expectedCrc ? Optional.of(UsageEvent.parseFrom(payload)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
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
