package dev.silkroute.router.usage;

import dev.silkroute.proto.v1.UsageEvent;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every usage event written to a local file before it is handed to the Kafka producer, and kept
 * there until Kafka acknowledged it (or it went to the {@link UsageSpool}). The router publishes an
 * event before it writes the last byte of its answer, so an answer a client received always has its
 * event either acknowledged by Kafka or in this journal: a router killed -9 with events still in the
 * producer's buffer (up to linger.ms, plus a produce round trip) loses none of them; the next start
 * moves what the journal holds into the spool, which replays it. Billing writes one ledger row per
 * event id, so an event both acknowledged and replayed is billed once.
 *
 * <p>Appends are plain writes, not forced to disk: the operating system keeps them across the death
 * of the process. What a crash of the whole host can lose is what the kernel had not yet written
 * back (seconds), as with any page-cache write; forcing each event would cost a disk flush per request.
 *
 * <p>The journal is a sequence of segments ({@code <spool>.journal-<run>-<n>}), each
 * {@code [int length][int crc32c][UsageEvent bytes]} records like the spool. A new segment starts
 * every {@code segmentEvents} events or {@code segmentNanos}; a segment is deleted once it is closed
 * and every event in it was acknowledged. So the journal holds about one segment in normal running.
 */
public final class UsageJournal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UsageJournal.class);
  private static final int HEADER_BYTES = 8;
  private static final String SEGMENT_MARK = ".journal-";

  /** Journals nothing: for tests of the publisher alone. */
  public static final UsageJournal NONE = new UsageJournal();

  /** One segment's file and the events in it not yet acknowledged. */
  public static final class Entry {
    private final Segment segment;

    private Entry(Segment segment) {
      this.segment = segment;
    }
  }

  private static final class Segment {
    final Path file;
    final FileChannel channel;
    final long startedNanos;
    final AtomicInteger pending = new AtomicInteger();
    int events;
    volatile boolean closed;

    Segment(Path file, FileChannel channel, long startedNanos) {
      this.file = file;
      this.channel = channel;
      this.startedNanos = startedNanos;
    }
  }

  private final Path spoolFile;
  private final int segmentEvents;
  private final long segmentNanos;
  private final LongSupplier nanos;
  private final String run = String.format("%013d", System.currentTimeMillis());
  private long nextSegment;
  private long unjournaled;
  private Segment current;

  private UsageJournal() {
    this.spoolFile = null;
    this.segmentEvents = 0;
    this.segmentNanos = 0;
    this.nanos = System::nanoTime;
  }

  /**
   * @param spoolFile     the spool this journal recovers into; segments live beside it
   * @param segmentEvents events per segment at most
   * @param segmentNanos  a segment's longest life, so a quiet router still deletes acknowledged events
   */
  public UsageJournal(Path spoolFile, int segmentEvents, long segmentNanos, LongSupplier nanos) {
    if (segmentEvents < 1) {
      throw new IllegalArgumentException("journal segments need room for at least 1 event, got " + segmentEvents);
    }
    this.spoolFile = spoolFile.toAbsolutePath();
    this.segmentEvents = segmentEvents;
    this.segmentNanos = segmentNanos;
    this.nanos = nanos;
  }

  /**
   * Moves every event a previous run left in the journal (it died before Kafka acknowledged them)
   * into {@code spool}, then deletes those segments. Call once, before the first {@link #write}.
   * Returns how many events were recovered.
   */
  public synchronized int recoverInto(UsageSpool spool) {
    if (spoolFile == null) {
      return 0;
    }
    int recovered = 0;
    for (Path segment : leftoverSegments()) {
      try {
        List<UsageEvent> events = read(segment);
        events.forEach(spool::append);
        Files.delete(segment);
        recovered += events.size();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot recover usage journal segment " + segment, e);
      }
    }
    if (recovered > 0) {
      LOG.warn("recovered {} usage events from the journal of a router that stopped before Kafka acknowledged"
          + " them; they go to Kafka from the spool (billing ignores any it already has)", recovered);
    }
    return recovered;
  }

  /** Writes the event to the current segment; hand the entry to {@link #acknowledged} once Kafka has it. */
  public synchronized Entry write(UsageEvent event) {
    if (spoolFile == null) {
      return null;
    }
    try {
      Segment segment = segmentForNext();
      byte[] bytes = event.toByteArray();
      CRC32C crc = new CRC32C();
      crc.update(bytes);
      ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + bytes.length)
          .putInt(bytes.length).putInt((int) crc.getValue()).put(bytes).flip();
      while (record.hasRemaining()) {
        segment.channel.write(record);
      }
      segment.events++;
      segment.pending.incrementAndGet();
      return new Entry(segment);
    } catch (IOException e) {
      // The event still goes to Kafka; only its protection against a crash of this process is missing.
      // Refusing the request instead would turn a full or read-only disk into an outage.
      if (unjournaled++ % 10_000 == 0) {
        LOG.error("cannot journal usage events beside {} ({} so far): a crash of this router before Kafka"
            + " acknowledges them would lose them", spoolFile, unjournaled, e);
      }
      if (current != null) {
        try {
          closeCurrent(); // the next event tries a fresh segment
        } catch (IOException ignored) {
          current = null; // already reported above; its file is replayed at the next start
        }
      }
      return null;
    }
  }

  /** Kafka has the entry's event, or the spool does: the journal no longer needs it. */
  public void acknowledged(Entry entry) {
    if (entry == null) {
      return;
    }
    Segment segment = entry.segment;
    if (segment.pending.decrementAndGet() == 0 && segment.closed) {
      delete(segment);
    }
  }

  /** Segments of this journal on disk now (for tests and operators). */
  public List<Path> segments() {
    return spoolFile == null ? List.of() : leftoverSegments();
  }

  private Segment segmentForNext() throws IOException {
    long now = nanos.getAsLong();
    if (current != null && (current.events >= segmentEvents || now - current.startedNanos >= segmentNanos)) {
      closeCurrent();
    }
    if (current == null) {
      Files.createDirectories(spoolFile.getParent());
      // Named by this run and a sequence: two runs never write one file, and names sort by age.
      Path file = spoolFile.resolveSibling(spoolFile.getFileName() + SEGMENT_MARK + run + "-"
          + String.format("%09d", nextSegment++));
      current = new Segment(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING), now);
    }
    return current;
  }

  private void closeCurrent() throws IOException {
    Segment segment = current;
    current = null;
    segment.channel.close();
    segment.closed = true;
    if (segment.pending.get() == 0) {
      delete(segment);
    }
  }

  private static void delete(Segment segment) {
    try {
      Files.deleteIfExists(segment.file);
    } catch (IOException e) {
      // Left behind, it is replayed at the next start: billing ignores events it already has.
      LOG.warn("cannot delete acknowledged usage journal segment {}: {}", segment.file, e.toString());
    }
  }

  private List<Path> leftoverSegments() {
    Path dir = spoolFile.getParent();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, spoolFile.getFileName() + SEGMENT_MARK + "*")) {
      files.forEach(found::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list usage journal segments in " + dir, e);
    }
    found.sort(null);
    return found;
  }

  /** The segment's good records; a torn tail (the process died mid-write) ends it. */
  private static List<UsageEvent> read(Path segment) throws IOException {
    List<UsageEvent> events = new ArrayList<>();
    try (InputStream in = Files.newInputStream(segment);
         DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in))) {
      while (true) {
        int length = data.readInt();
        int expectedCrc = data.readInt();
        if (length < 0 || length > 16 * 1024 * 1024) {
          LOG.warn("usage journal segment {} ends in a damaged record after {} events", segment, events.size());
          return events;
        }
        byte[] bytes = new byte[length];
        data.readFully(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        if ((int) crc.getValue() != expectedCrc) {
          LOG.warn("usage journal segment {} ends in a damaged record after {} events", segment, events.size());
          return events;
        }
        events.add(UsageEvent.parseFrom(bytes));
      }
    } catch (EOFException end) {
      return events; // the end, or a record cut short by a crash mid-write
    }
  }

  /** Closes the current segment; deleted now if Kafka acknowledged all it holds, else left for the next start. */
  @Override
  public synchronized void close() {
    if (current != null) {
      try {
        closeCurrent();
      } catch (IOException e) {
        LOG.warn("cannot close usage journal segment: {}", e.toString());
      }
    }
  }
}
