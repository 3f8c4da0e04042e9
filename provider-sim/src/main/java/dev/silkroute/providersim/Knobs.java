package dev.silkroute.providersim;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Behaviour of one simulated provider: latency, throughput and failures. Immutable; change a running
 * provider with {@link ProviderSim#update} or the admin API. JSON/YAML names are the snake_case names
 * given on each component.
 *
 * <p>Random failures are drawn from {@code seed} and the provider's request sequence number (reset
 * whenever knobs change), so the same sequence of requests sees the same failures on every run.
 *
 * @param ttftMs time to first token in milliseconds: delay before the response headers and first token
 * @param tokensPerSecond decode speed once the first token was sent; 0 = as fast as the socket allows
 * @param completionTokens length of text answers in tokens; 0 = derived from the request (12..63)
 * @param errorRate probability in [0,1] that a request is answered 500 with a provider-shaped error
 * @param rateLimitRate probability in [0,1] that a request is answered 429 with {@code Retry-After}
 * @param retryAfterSeconds value of the {@code Retry-After} header on simulated 429s
 * @param streamCutAfterTokens when >= 0, the connection is dropped after this many content tokens (or all
 *     of them, if fewer) with no finish chunk and no {@code [DONE]}; a non-stream response is dropped
 *     half-way through its body. -1 = off
 * @param stallAfterTokens when >= 0, a stream goes silent after this many content tokens (or all of them,
 *     if fewer) and stays open without another byte until the client gives up or the simulator
 *     closes: a provider that hangs mid-stream. -1 = off
 * @param neverAnswer when true, requests are read and then never answered; the connection stays open
 *     until the client gives up or the simulator closes
 * @param apiKey when set, requests without exactly this key are answered 401 (OpenAI: {@code
 *     Authorization: Bearer}, Anthropic: {@code x-api-key} or Bearer)
 * @param seed seed of the failure draws
 * @param cachedPromptShare share in [0,1] of each request's prompt tokens reported as read from the
 *     provider's prompt cache ({@code cached_tokens} in OpenAI's usage, {@code cache_read_input_tokens}
 *     in Anthropic's), rounded down: a provider whose cache holds an agent's shared system prompt
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Knobs(
    @JsonProperty("ttft_ms") long ttftMs,
    @JsonProperty("tokens_per_second") double tokensPerSecond,
    @JsonProperty("completion_tokens") int completionTokens,
    @JsonProperty("error_rate") double errorRate,
    @JsonProperty("rate_limit_rate") double rateLimitRate,
    @JsonProperty("retry_after_seconds") int retryAfterSeconds,
    @JsonProperty("stream_cut_after_tokens") int streamCutAfterTokens,
    @JsonProperty("stall_after_tokens") int stallAfterTokens,
    @JsonProperty("never_answer") boolean neverAnswer,
    @JsonProperty("api_key") String apiKey,
    @JsonProperty("seed") long seed,
    @JsonProperty("cached_prompt_share") double cachedPromptShare) {

  private static final Knobs DEFAULTS = new Knobs(0, 0, 0, 0, 0, 1, -1, -1, false, null, 0, 0);

  /** Knobs without a prompt cache. */
  public Knobs(long ttftMs, double tokensPerSecond, int completionTokens, double errorRate, double rateLimitRate,
               int retryAfterSeconds, int streamCutAfterTokens, int stallAfterTokens, boolean neverAnswer,
               String apiKey, long seed) {
    this(ttftMs, tokensPerSecond, completionTokens, errorRate, rateLimitRate, retryAfterSeconds,
        streamCutAfterTokens, stallAfterTokens, neverAnswer, apiKey, seed, 0);
  }

  /** Knobs without a mid-stream stall. */
  public Knobs(long ttftMs, double tokensPerSecond, int completionTokens, double errorRate, double rateLimitRate,
               int retryAfterSeconds, int streamCutAfterTokens, boolean neverAnswer, String apiKey, long seed) {
    this(ttftMs, tokensPerSecond, completionTokens, errorRate, rateLimitRate, retryAfterSeconds,
        streamCutAfterTokens, -1, neverAnswer, apiKey, seed);
  }

  public Knobs {
    requireAtLeast("ttft_ms", ttftMs, 0);
    if (!(tokensPerSecond >= 0) || Double.isInfinite(tokensPerSecond)) {
      throw new IllegalArgumentException("tokens_per_second must be >= 0 but was " + tokensPerSecond);
    }
    requireAtLeast("completion_tokens", completionTokens, 0);
    requireProbability("error_rate", errorRate);
    requireProbability("rate_limit_rate", rateLimitRate);
    requireProbability("cached_prompt_share", cachedPromptShare);
    requireAtLeast("retry_after_seconds", retryAfterSeconds, 0);
    requireAtLeast("stream_cut_after_tokens", streamCutAfterTokens, -1);
    requireAtLeast("stall_after_tokens", stallAfterTokens, -1);
    if (apiKey != null && apiKey.isBlank()) {
      apiKey = null;
    }
  }

  /** Instant, faultless, no key: what tests usually start from. */
  public static Knobs defaults() {
    return DEFAULTS;
  }

  /** For JSON and YAML: a field left out keeps its default. */
  @JsonCreator
  static Knobs fromJson(
      @JsonProperty("ttft_ms") Long ttftMs,
      @JsonProperty("tokens_per_second") Double tokensPerSecond,
      @JsonProperty("completion_tokens") Integer completionTokens,
      @JsonProperty("error_rate") Double errorRate,
      @JsonProperty("rate_limit_rate") Double rateLimitRate,
      @JsonProperty("retry_after_seconds") Integer retryAfterSeconds,
      @JsonProperty("stream_cut_after_tokens") Integer streamCutAfterTokens,
      @JsonProperty("stall_after_tokens") Integer stallAfterTokens,
      @JsonProperty("never_answer") Boolean neverAnswer,
      @JsonProperty("api_key") String apiKey,
      @JsonProperty("seed") Long seed,
      @JsonProperty("cached_prompt_share") Double cachedPromptShare) {
    Knobs d = DEFAULTS;
    return new Knobs(
        ttftMs != null ? ttftMs : d.ttftMs,
        tokensPerSecond != null ? tokensPerSecond : d.tokensPerSecond,
        completionTokens != null ? completionTokens : d.completionTokens,
        errorRate != null ? errorRate : d.errorRate,
        rateLimitRate != null ? rateLimitRate : d.rateLimitRate,
        retryAfterSeconds != null ? retryAfterSeconds : d.retryAfterSeconds,
        streamCutAfterTokens != null ? streamCutAfterTokens : d.streamCutAfterTokens,
        stallAfterTokens != null ? stallAfterTokens : d.stallAfterTokens,
        neverAnswer != null ? neverAnswer : d.neverAnswer,
        apiKey,
        seed != null ? seed : d.seed,
        cachedPromptShare != null ? cachedPromptShare : d.cachedPromptShare);
  }

  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  private static void requireAtLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + " but was " + value);
    }
  }

  private static void requireProbability(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be within [0, 1] but was " + value);
    }
  }

  /** Builder whose {@link #build()} validates every value and names the bad one. */
  public static final class Builder {
    private long ttftMs;
    private double tokensPerSecond;
    private int completionTokens;
    private double errorRate;
    private double rateLimitRate;
    private int retryAfterSeconds;
    private int streamCutAfterTokens;
    private int stallAfterTokens;
    private boolean neverAnswer;
    private String apiKey;
    private long seed;
    private double cachedPromptShare;

    private Builder(Knobs from) {
      ttftMs = from.ttftMs;
      tokensPerSecond = from.tokensPerSecond;
      completionTokens = from.completionTokens;
      errorRate = from.errorRate;
      rateLimitRate = from.rateLimitRate;
      retryAfterSeconds = from.retryAfterSeconds;
      streamCutAfterTokens = from.streamCutAfterTokens;
      stallAfterTokens = from.stallAfterTokens;
      neverAnswer = from.neverAnswer;
      apiKey = from.apiKey;
      seed = from.seed;
      cachedPromptShare = from.cachedPromptShare;
    }

    public Builder ttftMs(long value) {
      ttftMs = value;
      return this;
    }

    public Builder tokensPerSecond(double value) {
      tokensPerSecond = value;
      return this;
    }

    public Builder completionTokens(int value) {
      completionTokens = value;
      return this;
    }

    public Builder errorRate(double value) {
      errorRate = value;
      return this;
    }

    public Builder rateLimitRate(double value) {
      rateLimitRate = value;
      return this;
    }

    public Builder retryAfterSeconds(int value) {
      retryAfterSeconds = value;
      return this;
    }

    /** -1 turns the cut off. */
    public Builder streamCutAfterTokens(int value) {
      streamCutAfterTokens = value;
      return this;
    }

    /** -1 turns the stall off. */
    public Builder stallAfterTokens(int value) {
      stallAfterTokens = value;
      return this;
    }

    public Builder neverAnswer(boolean value) {
      neverAnswer = value;
      return this;
    }

    /** null or blank = no key required. */
    public Builder apiKey(String value) {
      apiKey = value;
      return this;
    }

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    public Builder cachedPromptShare(double value) {
      cachedPromptShare = value;
      return this;
    }

    public Knobs build() {
      return new Knobs(ttftMs, tokensPerSecond, completionTokens, errorRate, rateLimitRate,
          retryAfterSeconds, streamCutAfterTokens, stallAfterTokens, neverAnswer, apiKey, seed, cachedPromptShare);
    }
  }
}
