package dev.silkroute.router.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.ErrorInfo;
import dev.silkroute.proto.v1.ChatChunk;
import dev.silkroute.proto.v1.ChatMessage;
import dev.silkroute.proto.v1.ChatRequest;
import dev.silkroute.proto.v1.ChatResponse;
import dev.silkroute.proto.v1.ListModelsRequest;
import dev.silkroute.proto.v1.ListModelsResponse;
import dev.silkroute.proto.v1.RouterGrpc;
import dev.silkroute.proto.v1.Tool;
import dev.silkroute.proto.v1.ToolCall;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.router.auth.ApiKeys;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.models.ModelListing;
import dev.silkroute.testkit.Infra;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Router gRPC service on a whole router (real Redis keys, real Kafka usage, provider-sim
 * upstreams), called through real stubs: in-process for most cases, over Netty for the transport.
 */
class RouterGrpcIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Tool WEATHER = Tool.newBuilder().setName("get_weather").setDescription("Weather for a city")
      .setParametersJson("""
          {"type": "object", "properties": {"city": {"type": "string", "minLength": 3}},
           "required": ["city"]}""").build();

  @TempDir
  static Path dir;

  private static ProviderSim sim;
  private static RunningRouter router;
  private static RouterGrpcServer inProcess;
  private static ManagedChannel channel;
  private static RouterGrpc.RouterBlockingStub stub;
  private static RouterGrpc.RouterBlockingStub anonymous;

  @BeforeAll
  static void start() {
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek"), ProviderConfig.openai("together"),
        ProviderConfig.anthropic("anthropic")));
    router = RunningRouter.start(sim, dir);
    var beans = router.context();
    String name = InProcessServerBuilder.generateName();
    inProcess = RouterGrpcServer.serving(InProcessServerBuilder.forName(name), beans.getBean(ApiKeys.class),
        beans.getBean(ChatRequestParser.class), beans.getBean(ChatRouter.class),
        beans.getBean(dev.silkroute.router.embeddings.EmbeddingRequestParser.class),
        beans.getBean(dev.silkroute.router.embeddings.Embedder.class), beans.getBean(ModelListing.class),
        beans.getBean(ObjectMapper.class)).start();
    channel = InProcessChannelBuilder.forName(name).build();
    anonymous = RouterGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    stub = withKey(anonymous, router.key());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    inProcess.close();
    router.close();
    sim.close();
  }

  @AfterEach
  void resetProviders() {
    List.of("deepseek", "together", "anthropic").forEach(p -> sim.update(p, Knobs.defaults()));
  }

  private static <S extends AbstractStub<S>> S withKey(S stub, String key) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** Strict price order, so which provider serves is deterministic (the default draws at random). */
  private static ChatRequest.Builder ask(String model, String prompt) {
    return ChatRequest.newBuilder().setModel(model)
        .setProvider(dev.silkroute.proto.v1.ProviderPreferences.newBuilder().setSort("price"))
        .addMessages(ChatMessage.newBuilder().setRole("user").setContent(prompt));
  }

  @Test
  void answersAChatWithTheServingProviderAndItsCost() {
    ChatResponse response = stub.chat(ask(RunningRouter.DEEPSEEK, "Tell me about the silk road").build());

    assertThat(response.getId()).matches("gen-[0-9a-f]{32}");
    assertThat(response.getModel()).isEqualTo(RunningRouter.DEEPSEEK);
    assertThat(response.getProvider()).isEqualTo("deepseek");
    assertThat(response.getChoices(0).getMessage().getContent()).isNotBlank();
    assertThat(response.getChoices(0).getFinishReason()).isEqualTo("stop");
    var usage = response.getUsage();
    assertThat(usage.getTotalTokens()).isEqualTo(usage.getPromptTokens() + usage.getCompletionTokens());
    long expected = -Math.floorDiv(-(usage.getPromptTokens() * 270_000 + usage.getCompletionTokens() * 1_100_000),
        1_000_000);
    assertThat(usage.getCostMicros()).isEqualTo(expected).isPositive();
  }

  @Test
  void streamsChunksThenOneUsageChunk() {
    List<ChatChunk> chunks = new ArrayList<>();
    stub.chatStream(ask(RunningRouter.DEEPSEEK, "Count to five").build()).forEachRemaining(chunks::add);

    StringBuilder text = new StringBuilder();
    chunks.forEach(c -> c.getChoicesList().forEach(d -> text.append(d.getContent())));
    assertThat(text).isNotEmpty();
    ChatChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.getChoicesList()).isEmpty();
    assertThat(last.getUsage().getCompletionTokens()).isPositive();
    assertThat(last.getUsage().getCostMicros()).isPositive();
    assertThat(chunks).allSatisfy(c -> assertThat(c.getId()).isEqualTo(last.getId()));
    assertThat(chunks.stream().filter(ChatChunk::hasUsage)).hasSize(1);
  }

  @Test
  void roundTripsAToolCallThroughTheAnthropicAdapter() throws Exception {
    ChatRequest forced = ask(RunningRouter.CLAUDE, "Weather in Paris?").addTools(WEATHER)
        .setToolChoice("get_weather").build();

    ChatResponse call = stub.chat(forced);

    assertThat(call.getProvider()).isEqualTo("anthropic");
    assertThat(call.getChoices(0).getFinishReason()).isEqualTo("tool_calls");
    assertThat(call.getChoices(0).getNativeFinishReason()).isEqualTo("tool_use");
    ToolCall toolCall = call.getChoices(0).getMessage().getToolCalls(0);
    assertThat(toolCall.getName()).isEqualTo("get_weather");
    assertThat(JSON.readTree(toolCall.getArgumentsJson()).path("city").asText()).hasSizeGreaterThanOrEqualTo(3);

    ChatResponse answer = stub.chat(ask(RunningRouter.CLAUDE, "Weather in Paris?").addTools(WEATHER)
        .addMessages(ChatMessage.newBuilder().setRole("assistant").addToolCalls(toolCall))
        .addMessages(ChatMessage.newBuilder().setRole("tool").setToolCallId(toolCall.getId()).setContent("sunny"))
        .build());

    assertThat(answer.getChoices(0).getFinishReason()).isEqualTo("stop");
    assertThat(answer.getChoices(0).getMessage().getContent()).isNotBlank();
  }

  @Test
  void streamsToolCallArgumentsAsFragments() throws Exception {
    List<ChatChunk> chunks = new ArrayList<>();
    stub.chatStream(ask(RunningRouter.CLAUDE, "Weather in Rome?").addTools(WEATHER).setToolChoice("required").build())
        .forEachRemaining(chunks::add);

    List<ToolCall> calls = chunks.stream().flatMap(c -> c.getChoicesList().stream())
        .flatMap(d -> d.getToolCallsList().stream()).toList();
    assertThat(calls.get(0).getName()).isEqualTo("get_weather");
    assertThat(calls.get(0).getId()).isNotEmpty();
    assertThat(calls).allSatisfy(c -> assertThat(c.getIndex()).isZero());
    assertThat(calls.stream().filter(c -> !c.getArgumentsJson().isEmpty())).hasSizeGreaterThan(1);
    StringBuilder arguments = new StringBuilder();
    calls.forEach(c -> arguments.append(c.getArgumentsJson()));
    assertThat(JSON.readTree(arguments.toString()).path("city").isTextual()).isTrue();
    assertThat(chunks.stream().flatMap(c -> c.getChoicesList().stream()).map(d -> d.getFinishReason()))
        .contains("tool_calls");
  }

  @Test
  void refusesACallWithoutAValidKeyAsUnauthenticated() throws Exception {
    StatusRuntimeException none = catchThrowableOfType(() -> anonymous.chat(ask(RunningRouter.DEEPSEEK, "hi").build()),
        StatusRuntimeException.class);
    StatusRuntimeException wrong = catchThrowableOfType(
        () -> withKey(anonymous, "sk-sr-v1-" + "0".repeat(64)).chatStream(ask(RunningRouter.DEEPSEEK, "hi").build())
            .hasNext(), StatusRuntimeException.class);

    assertThat(none.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(openAiError(none).path("type").asText()).isEqualTo("authentication_error");
    assertThat(wrong.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void answersAnUnknownModelAsNotFoundWithTheErrorDetails() throws Exception {
    StatusRuntimeException e = catchThrowableOfType(() -> stub.chat(ask("nobody/nothing", "hi").build()),
        StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription()).contains("nobody/nothing");
    ErrorInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("model_not_found");
    assertThat(info.getMetadataMap()).containsEntry("http_status", "404").containsEntry("param", "model");
    assertThat(openAiError(e).path("code").asText()).isEqualTo("model_not_found");
  }

  @Test
  void validatesLikeTheHttpApiNamingTheField() throws Exception {
    StatusRuntimeException temperature = catchThrowableOfType(
        () -> stub.chat(ask(RunningRouter.DEEPSEEK, "hi").setTemperature(5).build()), StatusRuntimeException.class);
    StatusRuntimeException role = catchThrowableOfType(() -> stub.chat(ChatRequest.newBuilder()
        .setModel(RunningRouter.DEEPSEEK).addMessages(ChatMessage.newBuilder().setRole("robot").setContent("x"))
        .build()), StatusRuntimeException.class);
    StatusRuntimeException schema = catchThrowableOfType(() -> stub.chat(ask(RunningRouter.DEEPSEEK, "hi")
        .addTools(Tool.newBuilder().setName("t").setParametersJson("{not json")).build()),
        StatusRuntimeException.class);

    assertThat(temperature.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(openAiError(temperature).path("param").asText()).isEqualTo("temperature");
    assertThat(openAiError(role).path("param").asText()).isEqualTo("messages[0].role");
    assertThat(openAiError(schema).path("param").asText()).isEqualTo("tools[0].parameters_json");
  }

  @Test
  void answersUnavailableWithTheProvidersErrorWhenEveryProviderFails() throws Exception {
    Knobs failing = Knobs.builder().errorRate(1.0).build();
    sim.update("deepseek", failing);
    sim.update("together", failing);

    StatusRuntimeException chat = catchThrowableOfType(() -> stub.chat(ask(RunningRouter.DEEPSEEK, "hi").build()),
        StatusRuntimeException.class);
    StatusRuntimeException stream = catchThrowableOfType(
        () -> stub.chatStream(ask(RunningRouter.DEEPSEEK, "hi").build()).hasNext(), StatusRuntimeException.class);

    assertThat(chat.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    JsonNode error = openAiError(chat);
    assertThat(error.path("type").asText()).isEqualTo("upstream_error");
    assertThat(error.at("/metadata/raw").asText()).isNotBlank();
    // The last provider tried: which one that is depends on the default price-weighted draw.
    assertThat(StatusProto.fromThrowable(chat).getDetails(0).unpack(ErrorInfo.class).getMetadataMap()
        .get("provider_name")).isIn("deepseek", "together");
    assertThat(stream.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void endsACutStreamWithAnErrorChunkAndUsage() {
    // Paced, so the tokens before the cut reach the router before the drop does: a cut before the
    // first token would rightly move on to the next provider instead.
    sim.update("deepseek", Knobs.builder().completionTokens(30).tokensPerSecond(50).streamCutAfterTokens(3).build());

    List<ChatChunk> chunks = new ArrayList<>();
    stub.chatStream(ask(RunningRouter.DEEPSEEK, "a long answer please").build()).forEachRemaining(chunks::add);

    ChatChunk error = chunks.stream().filter(ChatChunk::hasError).findFirst().orElseThrow();
    assertThat(error.getError().getCode()).isEqualTo(502);
    assertThat(error.getChoices(0).getFinishReason()).isEqualTo("error");
    assertThat(chunks.get(chunks.size() - 1).hasUsage()).isTrue();
  }

  @Test
  void aClientCancelOfChatStreamClosesTheUpstreamAndIsBilledAsCancelled() throws Exception {
    // 200 tokens at 20 a second: the provider streams for 10 s unless the cancel reaches it.
    sim.update("deepseek", Knobs.builder().completionTokens(200).tokensPerSecond(20).build());
    ManagedChannel netty = ManagedChannelBuilder.forAddress("127.0.0.1", router.grpcPort()).usePlaintext().build();
    try (KafkaConsumer<String, byte[]> usage = usageConsumer()) {
      List<ChatChunk> chunks = new CopyOnWriteArrayList<>();
      AtomicReference<ClientCallStreamObserver<ChatRequest>> call = new AtomicReference<>();
      CompletableFuture<Status> closed = new CompletableFuture<>();
      withKey(RouterGrpc.newStub(netty), router.key()).chatStream(ask(RunningRouter.DEEPSEEK, "a long story please")
          .build(), new ClientResponseObserver<ChatRequest, ChatChunk>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ChatRequest> requests) {
              call.set(requests);
            }

            @Override
            public void onNext(ChatChunk chunk) {
              chunks.add(chunk);
            }

            @Override
            public void onError(Throwable error) {
              closed.complete(Status.fromThrowable(error));
            }

            @Override
            public void onCompleted() {
              closed.complete(Status.OK);
            }
          });
      await().atMost(Duration.ofSeconds(10)).until(() -> chunks.size() >= 3);
      assertThat(sim.openStreams("deepseek")).isEqualTo(1);

      call.get().cancel("the client gave up", null);

      // Well within the ~10 s the provider would otherwise go on for.
      await().atMost(Duration.ofSeconds(2)).until(() -> sim.openStreams("deepseek") == 0);
      UsageEvent event = usageEvent(usage, chunks.get(0).getId());
      assertThat(event.getStatus()).isEqualTo(UsageStatus.USAGE_STATUS_CANCELLED);
      assertThat(event.getProvider()).isEqualTo("deepseek");
      assertThat(event.getCompletionTokens()).isBetween(1L, 150L);
      assertThat(closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
    } finally {
      netty.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void listsTheCatalogWithoutAKey() {
    ListModelsResponse models = anonymous.listModels(ListModelsRequest.getDefaultInstance());

    assertThat(models.getModelsList()).extracting(m -> m.getId())
        .containsExactly(RunningRouter.DEEPSEEK, RunningRouter.CLAUDE);
    var deepseek = models.getModels(0);
    assertThat(deepseek.getPromptPricePerMillion()).isEqualTo(0.27);
    assertThat(deepseek.getCompletionPricePerMillion()).isEqualTo(1.10);
    assertThat(deepseek.getContextLength()).isEqualTo(163_840);
    assertThat(deepseek.getSupportedParametersList()).contains("tools", "max_tokens");
    assertThat(models.getModels(1).getSupportedParametersList()).contains("top_k").doesNotContain("seed");
  }

  @Test
  void servesOverARealNettySocket() throws Exception {
    ManagedChannel netty = ManagedChannelBuilder.forAddress("127.0.0.1", router.grpcPort()).usePlaintext().build();
    try {
      RouterGrpc.RouterBlockingStub remote = RouterGrpc.newBlockingStub(netty).withDeadlineAfter(30, TimeUnit.SECONDS);

      ChatResponse response = withKey(remote, router.key()).chat(ask(RunningRouter.DEEPSEEK, "hello").build());
      StatusRuntimeException refused = catchThrowableOfType(() -> remote.chat(ask(RunningRouter.DEEPSEEK, "hi").build()),
          StatusRuntimeException.class);

      assertThat(router.grpcPort()).isPositive().isNotEqualTo(9090);
      assertThat(response.getChoices(0).getMessage().getContent()).isNotBlank();
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(openAiError(refused).path("message").asText()).contains("API key");
    } finally {
      netty.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static KafkaConsumer<String, byte[]> usageConsumer() {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, Infra.uniqueName("grpcit"));
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new ByteArrayDeserializer());
    consumer.subscribe(List.of(router.usageTopic()));
    return consumer;
  }

  /** The usage event of {@code generationId}, once the router has published it. */
  private static UsageEvent usageEvent(KafkaConsumer<String, byte[]> consumer, String generationId) {
    Map<String, UsageEvent> seen = new HashMap<>();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        UsageEvent event = UsageEvent.parseFrom(record.value());
        seen.put(event.getEventId(), event);
      }
      return seen.containsKey(generationId);
    });
    return seen.get(generationId);
  }

  private static JsonNode openAiError(StatusRuntimeException e) throws Exception {
    String trailer = e.getTrailers().get(ErrorStatus.OPENAI_ERROR);
    assertThat(trailer).isNotNull();
    return JSON.readTree(trailer).path("error");
  }
}
