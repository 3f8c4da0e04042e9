package dev.silkroute.billing.admin;

import dev.silkroute.billing.ledger.Ledger;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Map;

/** Admin API: one ledger row by event (= generation) id, as the ledger table has it. */
@Controller("/admin/ledger")
@ExecuteOn(TaskExecutors.BLOCKING)
final class LedgerController {

  private final Ledger ledger;

  LedgerController(Ledger ledger) {
    this.ledger = ledger;
  }

  @Get("/{eventId}")
  Map<String, Object> row(String eventId) {
    return ledger.find(eventId).orElseThrow(() ->
        ApiException.notFound("No ledger row for event " + eventId + ".", "event_id"));
  }
}
