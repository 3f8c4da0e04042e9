package dev.silkroute.router.routing;

import dev.silkroute.router.provider.UpstreamException;

/** How one attempt at one endpoint ended, as far as the endpoint's health is concerned. */
public enum Outcome {
  /** The endpoint served the request. */
  OK,
  /** The endpoint failed: 5xx, refused, reset, timed out, bad credentials, unknown model. */
  PROVIDER_ERROR,
  /** The endpoint answered 429: it is busy, not broken; Retry-After is honoured. */
  RATE_LIMITED,
  /**
   * The endpoint was not called: all its slots were taken (a worker at its capacity, counted across
   * routers). Not its fault and not a refusal to back off from: a slot freeing up is used at once.
   */
  AT_CAPACITY,
  /** The request was at fault (400, 413, 422): says nothing about the endpoint, so not counted. */
  CALLER_ERROR,
  /** The client went away: not counted either. */
  CANCELLED;

  /** Whether the outcome counts in the endpoint's uptime (caller errors and cancellations do not). */
  public boolean countsForUptime() {
    return this == OK || this == PROVIDER_ERROR || this == RATE_LIMITED;
  }

  /** Classifies an upstream failure by its HTTP status (0 = no answer at all). */
  public static Outcome of(UpstreamException failure) {
    // A failure under a 2xx status broke after the headers (a body cut half-way, or not a completion
    // at all): the provider's fault, never a success.
    if (failure.atCapacity()) {
      return AT_CAPACITY;
    }
    return failure.status() / 100 == 2 ? PROVIDER_ERROR : ofStatus(failure.status());
  }

  public static Outcome ofStatus(int status) {
    return switch (status) {
      case 200 -> OK;
      case 429 -> RATE_LIMITED;
      case 400, 413, 422 -> CALLER_ERROR;
      default -> PROVIDER_ERROR;
    };
  }
}
