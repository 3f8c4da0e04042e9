package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.core.Caller;
import dev.silkroute.router.provider.TokenUsage;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The record of one request as it is served: which endpoints were tried, when the first token
 * came, what was used. Becomes the request's {@link UsageEvent}. Belongs to one request and is used by
 * one thread at a time (a request may move between threads, each step handed on through a completed
 * future, which publishes what the step wrote). Public for the other exchanges (embeddings) that bill
 * through the same usage event.
 */
public final class Generation {

  /** The id of a hedged request's other leg is its generation id and this. */
  static final String HEDGE_SUFFIX = "-hedge";

  private final String requestId;
  private String id;
  private final Caller caller;
  private Model model;
  private final boolean streamed;
  private final Instant startedAt;
  private final long startNanos;
  private Endpoint endpoint;
  private int attempts;
  private long firstTokenNanos = -1;
  private TokenUsage usage = TokenUsage.NONE;
  private String finishReason;
  private UsageStatus status = UsageStatus.USAGE_STATUS_ERROR;
  private final StringBuilder generated = new StringBuilder();
  private boolean usageEstimated;
  private boolean hedged;
  private boolean servedByHedge;
  private boolean hedgeLoss;

  public Generation(String id, Caller caller, Model model, boolean streamed, Instant startedAt, long startNanos) {
    this(id, id, caller, model, streamed, startedAt, startNanos);
  }

  private Generation(String requestId, String id, Caller caller, Model model, boolean streamed, Instant startedAt,
                     long startNanos) {
    this.requestId = requestId;
    this.id = id;
    this.caller = caller;
    this.model = model;
    this.streamed = streamed;
    this.startedAt = startedAt;
    this.startNanos = startNanos;
  }

  public String id() {
    return id;
  }

  /**
   * The record of a hedge: a second leg of the same request, timed from the request's start (so that
   * the time to first token of whichever leg serves is the client's), with its own id until it
   * serves the request ({@link #servedOver}).
   */
  Generation hedgeLeg() {
    return new Generation(requestId, requestId + HEDGE_SUFFIX, caller, model, streamed, startedAt, startNanos);
  }

  /**
   * The two legs of a hedged request are decided: this one's leg serves the request (or is the one
   * left to), {@code other}'s is set aside. This record becomes the request's (its id, every attempt
   * counted), the other the hedge's loss, which the customer does not pay for.
   *
   * @param byHedge whether this leg is the hedge, not the request's first leg
   */
  void servedOver(Generation other, boolean byHedge) {
    if (!id.equals(requestId)) {
      other.id = id;
      id = requestId;
    }
    attempts += other.attempts;
    other.attempts = 1;
    hedged = true;
    servedByHedge = byHedge;
    other.hedgeLoss = true;
    other.hedged = false;
    other.servedByHedge = false;
  }

  /**
   * A leg set aside ends: what it used is the operator's cost. A provider reports no usage for a
   * request cut before its first token, yet it read the prompt: that is counted, as are tokens it
   * streamed after it lost, which nobody received.
   */
  void endAside(UsageStatus status, TokenUsage usage, JsonNode request) {
    finish(status, usage, null);
    if (usage.promptTokens() == 0 && usage.completionTokens() == 0) {
      this.usage = TokenEstimator.estimate(request, generated.toString());
      usageEstimated = true;
    }
  }

  /** An attempt at {@code endpoint}, serving {@code model} (a {@code models[]} fallback may differ). */
  public void attempt(Model model, Endpoint endpoint) {
    this.model = model;
    this.endpoint = endpoint;
    attempts++;
  }

  public Model model() {
    return model;
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  public void firstToken(long nanos) {
    if (firstTokenNanos < 0) {
      firstTokenNanos = nanos;
    }
  }

  boolean started() {
    return firstTokenNanos >= 0;
  }

  /** Keeps the text of a streamed chunk (content and tool-call arguments), to count it if need be. */
  void streamed(JsonNode chunk) {
    for (JsonNode choice : chunk.path("choices")) {
      JsonNode delta = choice.path("delta");
      generated.append(delta.path("content").asText(""));
      for (JsonNode call : delta.path("tool_calls")) {
        generated.append(call.path("function").path("arguments").asText(""));
      }
    }
  }

  public void finish(UsageStatus status, TokenUsage usage, String finishReason) {
    this.status = status;
    this.usage = usage;
    this.finishReason = finishReason;
  }

  /**
   * When the provider reported no usage but tokens did reach the client (a cut or cancelled
   * stream), counts them so that what was generated is billed.
   */
  void estimateUsageIfMissing(JsonNode request) {
    if (started() && usage.promptTokens() == 0 && usage.completionTokens() == 0) {
      usage = TokenEstimator.estimate(request, generated.toString());
      usageEstimated = true;
    }
  }

  /**
   * What the customer pays, micro-USD: nothing for a hedge's loss; prompt tokens the provider read
   * from its prompt cache at the endpoint's cached price.
   */
  public long priceMicros() {
    return endpoint == null || hedgeLoss ? 0
        : endpoint.price().costMicros(usage.promptTokens(), usage.cachedTokens(), usage.completionTokens());
  }

  public TokenUsage usage() {
    return usage;
  }

  public UsageEvent toUsageEvent(String routerInstance, Instant finishedAt, long endNanos) {
    long ttftMs = firstTokenNanos < 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(firstTokenNanos - startNanos);
    long generationMs = firstTokenNanos < 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(endNanos - firstTokenNanos);
    UsageEvent.Builder event = UsageEvent.newBuilder()
        .setEventId(id)
        .setCustomerId(caller.customerId())
        .setKeyId(caller.keyId())
        .setModel(model.id())
        .setModelAuthor(model.author())
        .setPromptTokens(usage.promptTokens())
        .setCompletionTokens(usage.completionTokens())
        .setCachedTokens(usage.cachedTokens())
        .setReasoningTokens(usage.reasoningTokens())
        .setPriceMicros(priceMicros())
        .setLatencyMs(TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos))
        .setTimeToFirstTokenMs(ttftMs)
        .setGenerationMs(generationMs)
        .setStatus(status)
        .setFinishReason(finishReason == null ? "error" : finishReason)
        .setAttempts(attempts)
        .setStreamed(streamed)
        .setStartedAt(timestamp(startedAt))
        .setFinishedAt(timestamp(finishedAt))
        .setRouterInstance(routerInstance)
        .setUsageEstimated(usageEstimated)
        .setHedged(hedged)
        .setServedByHedge(servedByHedge)
        .setHedgeLoss(hedgeLoss);
    if (hedgeLoss) {
      event.setHedgeOf(requestId);
    }
    if (endpoint != null) {
      endpoint.workerId().ifPresent(event::setWorkerId);
      event.setProvider(endpoint.provider())
          .setEndpoint(endpoint.id())
          // A worker measures what it cost (GPU time); a provider's cost follows from its list prices.
          .setProviderCostMicros(usage.providerCostMicros()
              .orElseGet(() -> endpoint.cost().costMicros(usage.promptTokens(), usage.cachedTokens(),
                  usage.completionTokens())));
    }
    return event.build();
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }
}
