package dev.silkroute.router.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.proto.v1.UsageEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageJournalTest {

  @TempDir
  Path dir;

  private final AtomicLong nanos = new AtomicLong();

  @Test
  void shouldHandEventsKafkaNeverAcknowledgedToTheSpoolOfTheNextRun() {
    Path spoolFile = dir.resolve("router.spool");
    UsageJournal crashed = new UsageJournal(spoolFile, 100, Long.MAX_VALUE, nanos::get);
    UsageJournal.Entry first = crashed.write(event("gen-1"));
    crashed.write(event("gen-2"));
    crashed.write(event("gen-3"));
    crashed.acknowledged(first);
    // killed -9 here: no close()

    UsageSpool spool = new UsageSpool(spoolFile, 1 << 20);
    UsageJournal next = new UsageJournal(spoolFile, 100, Long.MAX_VALUE, nanos::get);
    assertThat(next.recoverInto(spool)).isEqualTo(3);

    // gen-1 comes back too (its segment was still open): billing ignores an event id it already has.
    assertThat(spool.drain()).extracting(UsageEvent::getEventId).containsExactly("gen-1", "gen-2", "gen-3");
    assertThat(next.segments()).isEmpty();
  }

  @Test
  void shouldDeleteASegmentOnceItIsClosedAndEveryEventInItAcknowledged() {
    UsageJournal journal = new UsageJournal(dir.resolve("router.spool"), 2, Long.MAX_VALUE, nanos::get);
    UsageJournal.Entry a = journal.write(event("gen-1"));
    UsageJournal.Entry b = journal.write(event("gen-2"));
    UsageJournal.Entry c = journal.write(event("gen-3")); // a second segment starts
    assertThat(journal.segments()).hasSize(2);

    journal.acknowledged(a);
    assertThat(journal.segments()).hasSize(2);
    journal.acknowledged(b);
    assertThat(journal.segments()).hasSize(1);

    journal.acknowledged(c);
    journal.close();
    assertThat(journal.segments()).isEmpty();
  }

  @Test
  void shouldStartANewSegmentWhenTheCurrentOneIsOld() {
    UsageJournal journal = new UsageJournal(dir.resolve("router.spool"), 100, 1_000, nanos::get);
    journal.acknowledged(journal.write(event("gen-1")));
    nanos.addAndGet(1_000);
    journal.write(event("gen-2"));

    assertThat(journal.segments()).hasSize(1); // the first, all acknowledged, went when it closed
  }

  @Test
  void shouldRecoverTheGoodRecordsOfASegmentTornMidWrite() throws Exception {
    Path spoolFile = dir.resolve("router.spool");
    UsageJournal crashed = new UsageJournal(spoolFile, 100, Long.MAX_VALUE, nanos::get);
    crashed.write(event("gen-1"));
    crashed.write(event("gen-2"));
    Path segment = crashed.segments().get(0);
    byte[] whole = Files.readAllBytes(segment);
    Files.write(segment, Arrays.copyOf(whole, whole.length - 3));

    UsageSpool spool = new UsageSpool(spoolFile, 1 << 20);
    assertThat(new UsageJournal(spoolFile, 100, Long.MAX_VALUE, nanos::get).recoverInto(spool)).isEqualTo(1);
    assertThat(spool.drain()).extracting(UsageEvent::getEventId).containsExactly("gen-1");
  }

  @Test
  void shouldLetEventsThroughUnjournaledWhenTheDiskRefuses() throws Exception {
    Path blocked = dir.resolve("not-a-directory");
    Files.writeString(blocked, "a file where the spool's directory should be");
    UsageJournal journal = new UsageJournal(blocked.resolve("router.spool"), 100, Long.MAX_VALUE, nanos::get);

    UsageJournal.Entry entry = journal.write(event("gen-1"));

    assertThat(entry).isNull();
    journal.acknowledged(entry); // nothing to release
  }

  private static UsageEvent event(String id) {
    return UsageEvent.newBuilder().setEventId(id).setCustomerId("cus_1").setPriceMicros(42).build();
  }
}
