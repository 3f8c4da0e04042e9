package dev.silkroute.router.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.proto.v1.UsageEvent;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageSpoolTest {

  @TempDir
  Path dir;

  @Test
  void givesBackEverySpooledEventOnceInOrder() {
    UsageSpool spool = new UsageSpool(dir.resolve("spool"), 1 << 20);
    spool.append(event("gen-1"));
    spool.append(event("gen-2"));

    assertThat(spool.drain()).extracting(UsageEvent::getEventId).containsExactly("gen-1", "gen-2");
    assertThat(spool.drain()).isEmpty();
  }

  @Test
  void keepsEventsAppendedAfterADrain() {
    UsageSpool spool = new UsageSpool(dir.resolve("nested/spool"), 1 << 20);
    spool.append(event("gen-1"));
    spool.drain();
    spool.append(event("gen-3"));

    assertThat(spool.drain()).extracting(UsageEvent::getEventId).containsExactly("gen-3");
  }

  private static UsageEvent event(String id) {
    return UsageEvent.newBuilder().setEventId(id).setCustomerId("cus_1").setPriceMicros(42).build();
  }

  @Test
  void setsATornLastRecordAsideAndKeepsTheGoodOnes() throws Exception {
    Path file = dir.resolve("spool");
    UsageSpool spool = new UsageSpool(file, 1 << 20);
    spool.append(event("gen-1"));
    spool.append(event("gen-2"));
    byte[] whole = java.nio.file.Files.readAllBytes(file);
    java.nio.file.Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 3)); // crash mid-write

    assertThat(spool.drain()).extracting(UsageEvent::getEventId).containsExactly("gen-1");
    try (var files = java.nio.file.Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".corrupt"));
    }
  }

  @Test
  void rejectsARecordWhoseChecksumDoesNotMatch() throws Exception {
    Path file = dir.resolve("spool");
    UsageSpool spool = new UsageSpool(file, 1 << 20);
    spool.append(event("gen-1"));
    byte[] bytes = java.nio.file.Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 0x55;
    java.nio.file.Files.write(file, bytes);

    assertThat(spool.drain()).isEmpty();
  }

  @Test
  void saysWhenItIsFull() {
    UsageSpool spool = new UsageSpool(dir.resolve("spool"), 64);
    assertThat(spool.full()).isFalse();
    spool.append(event("gen-1"));
    spool.append(event("gen-2"));
    spool.append(event("gen-3"));

    assertThat(spool.full()).isTrue();
  }

  @Test
  void appendsABatchInOrderAndShowsTheOldestWithoutTakingIt() {
    UsageSpool spool = new UsageSpool(dir.resolve("spool"), 1 << 20);
    assertThat(spool.oldest()).isEmpty();
    spool.appendAll(java.util.List.of(event("gen-1"), event("gen-2"), event("gen-3")));

    assertThat(spool.oldest()).map(UsageEvent::getEventId).contains("gen-1");
    assertThat(spool.drain()).extracting(UsageEvent::getEventId).containsExactly("gen-1", "gen-2", "gen-3");
  }

  @Test
  void countsItsBytesAcrossAppendsDrainsAndRestarts() throws Exception {
    Path file = dir.resolve("spool");
    UsageSpool spool = new UsageSpool(file, 1 << 20);
    spool.append(event("gen-1"));
    assertThat(spool.bytes()).isEqualTo(java.nio.file.Files.size(file)).isPositive();
    assertThat(new UsageSpool(file, 1 << 20).bytes()).as("a new spool over the same file").isEqualTo(spool.bytes());

    spool.drain();
    assertThat(spool.bytes()).isZero();
  }
}
