package dev.silkroute.router.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog in force, reloaded when its file changes. A file that does not load is rejected with
 * the loader's message (which names the bad entry) and the last good catalog stays in force, so a
 * typo in production never takes routing down. Polls the file's content rather than using a
 * WatchService: that also works on bind-mounted and network file systems (Kubernetes ConfigMaps
 * are swapped by symlink, which watchers often miss).
 */
public final class CatalogHolder implements Supplier<Catalog>, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogHolder.class);

  private final Path file;
  private final CatalogLoader loader;
  private final AtomicReference<Catalog> current = new AtomicReference<>();
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private volatile byte[] loadedContent;
  private ScheduledExecutorService poller;

  /** Loads the file now; a bad file at start-up fails start-up (there is no last good catalog). */
  public CatalogHolder(Path file, CatalogLoader loader) {
    this.file = file;
    this.loader = loader;
    byte[] content = read().orElseThrow(() -> new IllegalStateException("cannot read catalog " + file));
    current.set(loader.load(file));
    loadedContent = content;
  }

  @Override
  public Catalog get() {
    return current.get();
  }

  /** Why the last reload was rejected, while the file is still bad; empty once a good file loads. */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError.get());
  }

  /**
   * Loads the file if its content changed since the last attempt.
   *
   * @return true when a new catalog is now in force
   */
  public synchronized boolean reloadIfChanged() {
    Optional<byte[]> content = read();
    if (content.isEmpty() || Arrays.equals(content.get(), loadedContent)) {
      return false;
    }
    loadedContent = content.get();
    try {
      Catalog next = loader.load(file);
      current.set(next);
      lastError.set(null);
      LOG.info("catalog {} reloaded: {} models", file, next.models().size());
      return true;
    } catch (IllegalArgumentException | IllegalStateException e) {
      lastError.set(e.getMessage());
      LOG.error("catalog {} rejected, the previous catalog stays in force: {}", file, e.getMessage());
      return false;
    }
  }

  /** Checks the file every {@code interval} on a daemon thread until {@link #close()}. */
  public synchronized CatalogHolder watch(Duration interval) {
    if (poller == null) {
      poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "catalog-reload");
        t.setDaemon(true);
        return t;
      });
      long millis = Math.max(1, interval.toMillis());
      poller.scheduleWithFixedDelay(this::pollQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  private void pollQuietly() {
    try {
      reloadIfChanged();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again; one odd failure must not stop reloading.
      LOG.error("catalog reload of {} failed", file, e);
    }
  }

  private Optional<byte[]> read() {
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (IOException e) {
      // Mid-replace by an editor or a ConfigMap swap: try again at the next poll.
      return Optional.empty();
    }
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
      poller = null;
    }
  }
}
