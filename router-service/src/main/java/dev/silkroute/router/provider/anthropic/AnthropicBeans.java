package dev.silkroute.router.provider.anthropic;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.config.RouterSettings;
import dev.silkroute.router.provider.ProtocolAdapter;
import dev.silkroute.router.provider.http.HttpTransport;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Registers the Anthropic adapter for catalog providers with {@code protocol: anthropic}. */
@Factory
final class AnthropicBeans {

  @Singleton
  ProtocolAdapter anthropicAdapter(HttpTransport transport, ObjectMapper json, AnthropicSettings anthropic,
                                   RouterSettings router) {
    return new ProtocolAdapter(Endpoint.Protocol.ANTHROPIC,
        new AnthropicAdapter(transport, json, Clock.systemUTC(), anthropic, router.firstByteTimeout()));
  }
}
