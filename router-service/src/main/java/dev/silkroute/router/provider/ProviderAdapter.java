package dev.silkroute.router.provider;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.chat.ChatRequest;
import java.util.function.BooleanSupplier;

/** Speaks one upstream wire protocol; everything it returns is in OpenAI's chat shape. */
public interface ProviderAdapter {

  Completion complete(Endpoint endpoint, ChatRequest request) throws UpstreamException;

  /**
   * Streams a generation into {@code sink}. Stops early, closing the upstream connection, once
   * {@code cancelled} turns true (the client went away).
   */
  StreamEnd stream(Endpoint endpoint, ChatRequest request, ChunkSink sink, BooleanSupplier cancelled)
      throws UpstreamException;
}
