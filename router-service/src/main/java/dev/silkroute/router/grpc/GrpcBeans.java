package dev.silkroute.router.grpc;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.auth.ApiKeys;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.embeddings.EmbeddingRequestParser;
import dev.silkroute.router.embeddings.Embedder;
import dev.silkroute.router.models.ModelListing;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;

/** Starts the Router gRPC service with the application and stops it with it. */
@Factory
final class GrpcBeans {

  @Context
  @Bean(preDestroy = "close")
  RouterGrpcServer routerGrpcServer(GrpcSettings settings, ApiKeys keys, ChatRequestParser parser, ChatRouter router,
                                    EmbeddingRequestParser embeddingParser, Embedder embedder, ModelListing models,
                                    ObjectMapper json) {
    ServerBuilder<?> builder = NettyServerBuilder.forPort(settings.grpcPort())
        .maxInboundMessageSize(settings.grpcMaxMessage());
    return RouterGrpcServer.serving(builder, keys, parser, router, embeddingParser, embedder, models, json).start();
  }
}
