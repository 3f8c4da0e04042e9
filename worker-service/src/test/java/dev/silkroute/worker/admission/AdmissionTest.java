package dev.silkroute.worker.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.worker.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdmissionTest {
  private final ManualClock clock = new ManualClock();
  private final AtomicInteger changes = new AtomicInteger();
  private final List<Ticket> started = new ArrayList<>();

  @Test
  void runsUpToMaxRunningQueuesUpToMaxQueuedAndRejectsTheRest() {
    Admission admission = new Admission(2, 1, 1_000, clock, changes::incrementAndGet);

    assertThat(admission.offer(10, started::add)).isInstanceOf(Admission.Decision.Admitted.class);
    assertThat(admission.offer(10, started::add)).isInstanceOf(Admission.Decision.Admitted.class);
    assertThat(admission.offer(10, started::add)).isInstanceOf(Admission.Decision.Queued.class);
    Admission.Decision rejected = admission.offer(10, started::add);

    assertThat(rejected).isInstanceOf(Admission.Decision.Rejected.class);
    assertThat(((Admission.Decision.Rejected) rejected).reason()).contains("2/2 running", "1/1 queued");
    assertThat(started).hasSize(2);
    assertThat(admission.snapshot()).isEqualTo(new Admission.Snapshot(2, 1, 2, 1, 0.02));
    assertThat(changes).hasValue(3);
  }

  @Test
  void waitsForKvCacheEvenWhenSlotsAreFree() {
    Admission admission = new Admission(8, 4, 1_000, clock, () -> {});
    admission.offer(700, started::add);

    Admission.Decision second = admission.offer(400, started::add);

    assertThat(second).isInstanceOf(Admission.Decision.Queued.class);
    assertThat(admission.snapshot().kvCacheUse()).isEqualTo(0.7);
    assertThat(admission.wouldStartNow(300)).isFalse(); // the queue comes first, even for a small one
  }

  @Test
  void releasingStartsTheQueueInArrivalOrderAndMeasuresTheWait() {
    Admission admission = new Admission(1, 2, 1_000, clock, () -> {});
    admission.offer(10, started::add);
    Ticket second = ((Admission.Decision.Queued) admission.offer(10, started::add)).ticket();
    admission.offer(10, started::add);
    clock.advance(250, TimeUnit.MILLISECONDS);

    started.get(0).release();

    assertThat(started).hasSize(2).last().isSameAs(second);
    assertThat(second.queueNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
    assertThat(admission.snapshot().queued()).isEqualTo(1);
  }

  @Test
  void rejectsARequestThatCouldNeverFitTheKvCache() {
    Admission admission = new Admission(4, 4, 1_000, clock, () -> {});

    Admission.Decision decision = admission.offer(1_001, started::add);

    assertThat(decision).isInstanceOf(Admission.Decision.Rejected.class);
    assertThat(((Admission.Decision.Rejected) decision).reason()).contains("1001", "1000");
  }

  @Test
  void releasingAWaitingTicketGivesUpItsPlaceWithoutStartingIt() {
    Admission admission = new Admission(1, 1, 1_000, clock, () -> {});
    admission.offer(10, started::add);
    Ticket waiting = ((Admission.Decision.Queued) admission.offer(10, started::add)).ticket();

    waiting.release();
    waiting.release(); // idempotent

    assertThat(admission.snapshot()).isEqualTo(new Admission.Snapshot(1, 0, 1, 1, 0.01));
    started.get(0).release();
    assertThat(started).hasSize(1);
    assertThat(admission.snapshot().idle()).isTrue();
  }
}
