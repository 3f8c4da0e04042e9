package dev.silkroute.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.testkit.Infra;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenRouter's own TypeScript SDK ({@code @openrouter/sdk}, pinned in src/test/node/openrouter-sdk)
 * against the router's runnable jar on one base URL, {@code /api/v1}: models, endpoints, chat
 * streamed and not, provider preferences, generation by id, credits, the current key, typed errors,
 * embeddings and responses. The SDK validates every answer against OpenRouter's schemas, so the suite
 * fails when one does not fit. Needs {@code node} and {@code npm} (skipped, saying so, without them)
 * and the npm registry or a warm npm cache for {@code npm ci}.
 */
class OpenRouterSdkIT {

  private static final String ADMIN_TOKEN = "sdk-admin-token";
  private static final Path SUITE = Path.of("src", "test", "node", "openrouter-sdk");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static ProviderSim sim;
  private static ServiceProcess billing;
  private static ServiceProcess router;
  private static String key;

  @BeforeAll
  static void startTheStack() throws Exception {
    assumeTrue(onPath("node") && onPath("npm"),
        "OpenRouter SDK suite skipped: node and npm are not on the PATH (Node 20 or newer runs it)");
    String kafka = Infra.kafka().bootstrapServers();
    String redis = Infra.redis().uri();
    String database = Infra.postgres().newDatabase("sdk");
    String topic = Infra.kafka().createTopic(Infra.uniqueName("sdk-usage"), 1);
    String prefix = Infra.uniqueName("sdk") + ":";
    // Every provider the shipped catalog names for the suite's model, so a preferred one can serve,
    // and openai for the embedding model the suite finds first.
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek"), ProviderConfig.openai("together"),
        ProviderConfig.openai("fireworks"), ProviderConfig.openai("alibaba"), ProviderConfig.openai("openai")));
    billing = ServiceProcess.start("sdk-billing", LiveStack.privateCopy("silkroute.billing.jar"),
        ServiceProcess.freePort(), Map.of(
            "datasources.default.url", database,
            "datasources.default.username", Infra.postgres().username(),
            "datasources.default.password", Infra.postgres().password(),
            "silkroute.kafka.bootstrap-servers", kafka,
            "silkroute.usage.topic", topic,
            "silkroute.usage.dlq-topic", topic + ".dlq",
            "silkroute.usage.group-id", Infra.uniqueName("sdk-billing"),
            "silkroute.redis.uri", redis,
            "silkroute.redis.key-prefix", prefix),
        Map.of("SILKROUTE_ADMIN_TOKEN", ADMIN_TOKEN));
    router = ServiceProcess.start("sdk-router", LiveStack.privateCopy("silkroute.router.jar"),
        ServiceProcess.freePort(), Map.of(
            "silkroute.router.catalog", System.getProperty("silkroute.catalog"),
            "silkroute.router.grpc-port", "0",
            "silkroute.router.spool-file", Path.of("target", "sdk-router.spool").toAbsolutePath().toString(),
            "silkroute.kafka.bootstrap-servers", kafka,
            "silkroute.kafka.usage-topic", topic,
            "silkroute.redis.uri", redis,
            "silkroute.redis.key-prefix", prefix),
        Map.of("SILKROUTE_PROVIDER_SIM_URL", sim.url()));
    String customer = admin("POST", "/admin/customers", "{\"name\":\"SDK Ltd\"}").get("id").asText();
    key = admin("POST", "/admin/customers/" + customer + "/keys", "{\"label\":\"sdk\"}").get("key").asText();
    admin("POST", "/admin/customers/" + customer + "/credits", "{\"amount_micros\":5000000,\"note\":\"sdk\"}");
  }

  @AfterAll
  static void stopTheStack() throws Exception {
    for (AutoCloseable part : new AutoCloseable[] {router, billing, sim}) {
      if (part != null) {
        part.close();
      }
    }
  }

  @Test
  void openRoutersSdkAcceptsEveryAnswerOnOneBaseUrl() throws Exception {
    Path work = copyOfTheSuite();
    Result install = run(work, Duration.ofMinutes(3), Map.of(), "npm", "ci", "--ignore-scripts", "--no-audit",
        "--no-fund");
    assertThat(install.exit()).as("npm ci:\n%s", install.output()).isZero();

    Result suite = run(work, Duration.ofMinutes(2), Map.of(
        "SILKROUTE_BASE_URL", router.uri("/api/v1").toString(),
        "SILKROUTE_API_KEY", key,
        "SILKROUTE_MODEL", "deepseek/deepseek-chat-v3"), "node", "suite.mjs");
    System.err.println("[openrouter-sdk]\n" + suite.output());

    assertThat(suite.exit()).as("the OpenRouter SDK suite:\n%s", suite.output()).isZero();
    assertThat(suite.output()).contains("ok chat: a completion, streamed, with usage", "ok generation",
        "all checks passed").doesNotContain("FAIL");
  }

  /** The committed suite (package.json, lock, script) in target/, so npm's node_modules stay out of src/. */
  private static Path copyOfTheSuite() throws IOException {
    Path work = Path.of("target", "openrouter-sdk").toAbsolutePath();
    Files.createDirectories(work);
    for (String file : List.of("package.json", "package-lock.json", "suite.mjs")) {
      Files.copy(SUITE.resolve(file), work.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    return work;
  }

  private record Result(int exit, String output) {
  }

  private static Result run(Path dir, Duration limit, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, command[0], ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      return new Result(-1, Files.readString(log, StandardCharsets.UTF_8) + "\n(timed out after " + limit + ")");
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private static boolean onPath(String program) {
    try {
      Process process = new ProcessBuilder(program, "--version").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static JsonNode admin(String method, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(billing.uri(path))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
    return JSON.readTree(response.body());
  }
}
