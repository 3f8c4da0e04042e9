package dev.silkroute.worker.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.contracts.sse.SseDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The {@code openai-compatible} engine: forwards to an inference server that speaks OpenAI's
 * {@code POST /v1/chat/completions} with {@code stream: true} (vLLM, SGLang, llama.cpp's server,
 * Ollama), and turns its SSE chunks into our chunks. Usage comes from the server's final usage
 * chunk ({@code stream_options.include_usage}); servers that send none get our own counts.
 */
public final class OpenAiCompatibleEngine implements Engine {
  /** Used for the TTFT estimate until the first real observation. */
  private static final long INITIAL_TTFT_MILLIS = 200;

  private final URI chatCompletions;
  private final URI embeddings;
  private final Optional<String> apiKey;
  private final Duration headersTimeout;
  private final HttpClient http;
  private final ObjectMapper json;
  private final LongSupplier nanoTime;
  private final ProcessorShare share;
  private volatile double ttftMillisEwma = INITIAL_TTFT_MILLIS;

  /**
   * @param baseUrl the server's OpenAI base, e.g. {@code http://127.0.0.1:8000/v1}
   * @param headersTimeout how long the server may take to answer with headers
   */
  public OpenAiCompatibleEngine(URI baseUrl, Optional<String> apiKey, Duration headersTimeout,
      HttpClient http, ObjectMapper json, LongSupplier nanoTime) {
    String base = baseUrl.toString();
    this.chatCompletions = URI.create((base.endsWith("/") ? base : base + "/") + "chat/completions");
    this.embeddings = URI.create((base.endsWith("/") ? base : base + "/") + "embeddings");
    this.apiKey = apiKey;
    this.headersTimeout = headersTimeout;
    this.http = http;
    this.json = json;
    this.nanoTime = nanoTime;
    this.share = new ProcessorShare(nanoTime);
  }

  @Override
  public Generation start(GenerationRequest request, GenerationSink sink) {
    Call call = new Call(request, sink);
    HttpRequest.Builder http = HttpRequest.newBuilder(chatCompletions)
        .timeout(headersTimeout)
        .header("Content-Type", "application/json")
        .header("Accept", "text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body(request)));
    apiKey.ifPresent(key -> http.header("Authorization", "Bearer " + key));
    this.http.sendAsync(http.build(), HttpResponse.BodyHandlers.ofInputStream())
        .whenComplete((response, error) -> {
          if (error != null) {
            call.fail(new EngineFailure("upstream " + chatCompletions + " unreachable: " + error.getMessage(), error));
          } else {
            call.read(response);
          }
        });
    return call::cancel;
  }

  /** vLLM, llama.cpp's server and Ollama serve {@code POST /v1/embeddings} for embedding models. */
  @Override
  public boolean embeds() {
    return true;
  }

  /**
   * {@code POST {base}/embeddings} with the texts as an array and floats asked for; the server's
   * {@code usage.prompt_tokens} when it counts, else our estimate.
   */
  @Override
  public CompletableFuture<Embeddings> embedAsync(EmbeddingRequest request) {
    ObjectNode body = json.createObjectNode();
    body.put("model", request.model());
    ArrayNode input = body.putArray("input");
    request.inputs().forEach(input::add);
    body.put("encoding_format", "float");
    request.dimensions().ifPresent(d -> body.put("dimensions", d));
    HttpRequest.Builder http = HttpRequest.newBuilder(embeddings)
        .timeout(headersTimeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    apiKey.ifPresent(key -> http.header("Authorization", "Bearer " + key));
    return this.http.sendAsync(http.build(), HttpResponse.BodyHandlers.ofByteArray())
        .handle((response, error) -> {
          if (error != null) {
            throw new EngineFailure("upstream " + embeddings + " unreachable: " + error.getMessage(), error);
          }
          return embeddings(request, response);
        });
  }

  private Embeddings embeddings(EmbeddingRequest request, HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      throw new EngineFailure("upstream answered " + response.statusCode() + ": "
          + abbreviate(new String(response.body(), StandardCharsets.UTF_8)));
    }
    JsonNode answer;
    try {
      answer = json.readTree(response.body());
    } catch (IOException e) {
      throw new EngineFailure("upstream's embeddings answer is not JSON", e);
    }
    JsonNode data = answer == null ? null : answer.get("data");
    if (data == null || !data.isArray() || data.size() != request.inputs().size()) {
      throw new EngineFailure("upstream answered " + (data == null || !data.isArray() ? "no 'data' list"
          : data.size() + " embeddings") + " for " + request.inputs().size() + " inputs");
    }
    float[][] vectors = new float[data.size()][];
    for (int i = 0; i < data.size(); i++) {
      JsonNode item = data.get(i);
      // Servers answer in order but say so with "index"; trust the index when it is usable.
      int at = item.path("index").canConvertToInt() && item.path("index").asInt(-1) >= 0
          && item.path("index").asInt() < vectors.length ? item.get("index").asInt() : i;
      JsonNode values = item.path("embedding");
      if (!values.isArray() || values.isEmpty()) {
        throw new EngineFailure("upstream sent an embedding without a vector");
      }
      float[] vector = new float[values.size()];
      for (int j = 0; j < vector.length; j++) {
        vector[j] = (float) values.get(j).asDouble();
      }
      vectors[at] = vector;
    }
    for (float[] vector : vectors) {
      if (vector == null) {
        throw new EngineFailure("upstream's embeddings repeat an index");
      }
    }
    JsonNode prompt = answer.path("usage").path("prompt_tokens");
    return new Embeddings(java.util.Arrays.asList(vectors),
        prompt.isIntegralNumber() ? prompt.asLong() : request.estimatedPromptTokens());
  }

  @Override
  public long kvCapacityTokens() {
    return Long.MAX_VALUE;
  }

  /** An exponentially weighted average of observed times to first token. */
  @Override
  public long nominalTtftMillis(long promptTokens, int running) {
    return Math.round(ttftMillisEwma);
  }

  @Override
  public void close() {
    // The HttpClient is shared and owned by whoever built it.
  }

  private String body(GenerationRequest request) {
    ObjectNode body = json.createObjectNode();
    body.put("model", request.model());
    ArrayNode messages = body.putArray("messages");
    request.messages().forEach(m -> messages.addObject().put("role", m.role()).put("content", m.content()));
    body.put("max_tokens", request.maxTokens());
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    if (request.temperature() != null) {
      body.put("temperature", request.temperature());
    }
    if (request.topP() != null) {
      body.put("top_p", request.topP());
    }
    request.seed().ifPresent(seed -> body.put("seed", seed));
    if (!request.stop().isEmpty()) {
      ArrayNode stop = body.putArray("stop");
      request.stop().forEach(stop::add);
    }
    return body.toString();
  }

  /** One forwarded request. */
  private final class Call {
    private final GenerationRequest request;
    private final GenerationSink sink;
    private final long startedNanos = nanoTime.getAsLong();
    private final double shareMark = share.join();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile InputStream body;
    private long completionTokens;
    /** Set on the reading thread once nothing more is wanted from the body. */
    private boolean stopped;
    private String finishReason;
    private JsonNode usage;

    Call(GenerationRequest request, GenerationSink sink) {
      this.request = request;
      this.sink = sink;
    }

    void read(HttpResponse<InputStream> response) {
      body = response.body();
      try (InputStream in = body) {
        if (response.statusCode() != 200) {
          String text = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
          fail(new EngineFailure("upstream answered " + response.statusCode() + ": " + text));
          return;
        }
        // The one SSE decoder the router uses too (contracts): bytes in, events out.
        SseDecoder events = new SseDecoder(this::onData);
        byte[] buffer = new byte[8192];
        int n;
        while (!stopped && (n = in.read(buffer)) != -1) {
          events.feed(buffer, 0, n);
        }
        if (!stopped) {
          events.end(); // a stream cut without its final blank line still counts
        }
      } catch (EngineFailure e) {
        fail(e);
        return;
      } catch (IOException | RuntimeException e) {
        fail(new EngineFailure("upstream stream broke: " + e.getMessage(), e));
        return;
      }
      if (finishReason == null) {
        fail(new EngineFailure("upstream stream ended without a finish_reason"));
      } else {
        finish();
      }
    }

    /** One event's data; stops reading at {@code [DONE]} or once the call ended. */
    private void onData(String type, byte[] data, int offset, int length) {
      if (stopped) {
        return;
      }
      if (ended.get() || SseDecoder.isDone(data, offset, length)) {
        stopped = true;
        return;
      }
      JsonNode chunk;
      try {
        chunk = json.readTree(data, offset, length);
      } catch (IOException e) {
        throw new EngineFailure("upstream sent a chunk that is not JSON: "
            + abbreviate(new String(data, offset, length, StandardCharsets.UTF_8)), e);
      }
      if (chunk.hasNonNull("error")) {
        throw new EngineFailure("upstream error: " + chunk.get("error"));
      }
      if (chunk.hasNonNull("usage")) {
        usage = chunk.get("usage");
      }
      JsonNode choice = chunk.path("choices").path(0);
      String text = choice.path("delta").path("content").asText("");
      if (!text.isEmpty()) {
        if (completionTokens == 0) {
          observeTtft();
        }
        completionTokens++; // servers stream one token per chunk; usage corrects the total
        sink.onTokens(text, 1);
      }
      if (choice.hasNonNull("finish_reason")) {
        finishReason = choice.get("finish_reason").asText();
      }
    }

    private void observeTtft() {
      double millis = (nanoTime.getAsLong() - startedNanos) / 1e6;
      ttftMillisEwma = 0.8 * ttftMillisEwma + 0.2 * millis;
    }

    private void finish() {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      long gpuNanos = share.leave(shareMark);
      long prompt = usage != null && usage.has("prompt_tokens")
          ? usage.get("prompt_tokens").asLong() : request.estimatedPromptTokens();
      long completion = usage != null && usage.has("completion_tokens")
          ? usage.get("completion_tokens").asLong() : completionTokens;
      String reason = Completion.LENGTH.equals(finishReason) ? Completion.LENGTH : Completion.STOP;
      sink.onFinish(new Completion(reason, prompt, completion, gpuNanos));
    }

    void fail(EngineFailure failure) {
      if (ended.compareAndSet(false, true)) {
        share.leave(shareMark);
        sink.onFailure(failure);
      }
    }

    void cancel() {
      if (ended.compareAndSet(false, true)) {
        share.leave(shareMark);
        InputStream in = body;
        if (in != null) {
          try {
            in.close(); // cancels the body subscription, which closes the upstream connection
          } catch (IOException e) {
            // closing an abandoned body: nothing to report
          }
        }
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
