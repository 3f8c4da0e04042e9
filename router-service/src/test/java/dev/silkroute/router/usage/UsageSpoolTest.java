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
    UsageSpool spool = new UsageSpool(dir.resolve("spool"));
    spool.append(event("gen-1"));
    spool.append(event("gen-2"));

    assertThat(spool.drain()).extracting(UsageEvent::getEventId).containsExactly("gen-1", "gen-2");
    assertThat(spool.drain()).isEmpty();
  }

  @Test
  void keepsEventsAppendedAfterADrain() {
    UsageSpool spool = new UsageSpool(dir.resolve("nested/spool"));
    spool.append(event("gen-1"));
    spool.drain();
    spool.append(event("gen-3"));

    assertThat(spool.drain()).extracting(UsageEvent::getEventId).containsExactly("gen-3");
  }

  private static UsageEvent event(String id) {
    return UsageEvent.newBuilder().setEventId(id).setCustomerId("cus_1").setPriceMicros(42).build();
  }
}
