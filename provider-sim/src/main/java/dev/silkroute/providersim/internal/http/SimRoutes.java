package dev.silkroute.providersim.internal.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.silkroute.providersim.internal.anthropic.AnthropicDialect;
import dev.silkroute.providersim.internal.openai.OpenAiDialect;
import dev.silkroute.providersim.internal.provider.ProviderState;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Every path of the simulator:
 *
 * <pre>
 * GET  /health
 * GET  /_admin/providers[/{name}], PUT|POST /_admin/providers/{name}
 * POST /{name}/v1/chat/completions   (providers with protocol openai or both)
 * POST /{name}/v1/messages           (providers with protocol anthropic or both)
 * POST /{name}/v1/embeddings         (providers with protocol openai or both)
 * GET  /{name}/v1/models
 * </pre>
 */
public final class SimRoutes implements HttpHandler {

  private static final Dialect OPENAI = new OpenAiDialect();
  private static final Dialect ANTHROPIC = new AnthropicDialect();

  private final Map<String, ProviderState> providers;
  private final ChatEndpoint chat;
  private final EmbeddingsEndpoint embeddings;
  private final AdminApi admin;

  public SimRoutes(Map<String, ProviderState> providers, Clock clock, CountDownLatch closing) {
    this.providers = providers;
    this.chat = new ChatEndpoint(clock, closing);
    this.embeddings = new EmbeddingsEndpoint(closing);
    this.admin = new AdminApi(providers);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    // Not closed in a finally: closing would end a chunked body cleanly, and a ConnectionDrop must
    // leave it unterminated so that the server drops the socket instead.
    try {
      route(exchange);
      exchange.close();
    } catch (ConnectionDrop | IOException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectionDrop("simulator stopping");
    } catch (RuntimeException e) {
      // A bug of the simulator, not a simulated fault: say so loudly, answer 500 if still possible.
      System.err.println("provider-sim: unexpected failure on " + exchange.getRequestURI());
      e.printStackTrace();
      if (exchange.getResponseCode() != -1) {
        throw e;
      }
      fail(exchange, SimError.Kind.SERVER_ERROR, "provider-sim internal error: " + e);
      exchange.close();
    }
  }

  private void route(HttpExchange exchange) throws IOException, InterruptedException {
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/health")) {
      Responses.json(exchange, 200, Json.object().put("status", "UP").put("providers", providers.size()));
      return;
    }
    if (path.startsWith(AdminApi.PREFIX)) {
      admin.handle(exchange);
      return;
    }
    int slash = path.indexOf('/', 1);
    ProviderState provider = slash > 0 ? providers.get(path.substring(1, slash)) : null;
    if (provider == null) {
      fail(exchange, SimError.Kind.NOT_FOUND, "No provider at " + path + "; providers: "
          + providers.keySet() + ", e.g. POST /" + providers.keySet().stream().findFirst().orElse("name")
          + "/v1/chat/completions");
      return;
    }
    String rest = path.substring(slash);
    Dialect dialect = switch (rest) {
      case "/v1/chat/completions" -> OPENAI;
      case "/v1/messages" -> ANTHROPIC;
      case "/v1/embeddings" -> OPENAI;
      default -> null;
    };
    if (rest.equals("/v1/models")) {
      models(exchange, provider);
    } else if (dialect == null) {
      fail(exchange, SimError.Kind.NOT_FOUND, "Unknown path " + path + ".");
    } else if (!provider.config().protocol().serves(dialect.protocol())) {
      Responses.json(exchange, 404, dialect.errorBody(new SimError(SimError.Kind.NOT_FOUND,
          "Provider " + provider.name() + " speaks " + provider.config().protocol().wireName()
              + ", not " + dialect.protocol().wireName() + ".", null, "unknown_url")));
    } else if (rest.equals("/v1/embeddings")) {
      embeddings.handle(exchange, provider);
    } else {
      chat.handle(exchange, provider, dialect);
    }
  }

  /** OpenAI's list shape; lists the configured models (empty when the provider takes any name). */
  private static void models(HttpExchange exchange, ProviderState provider) throws IOException {
    ObjectNode body = Json.object().put("object", "list");
    ArrayNode data = body.putArray("data");
    for (String model : provider.config().models()) {
      data.addObject().put("id", model).put("object", "model").put("created", 0)
          .put("owned_by", provider.name());
    }
    Responses.json(exchange, 200, body);
  }

  private static void fail(HttpExchange exchange, SimError.Kind kind, String message) throws IOException {
    SimError error = new SimError(kind, message, null, null);
    Responses.json(exchange, error.status(), OpenAiDialect.errorBodyOf(error));
  }
}
