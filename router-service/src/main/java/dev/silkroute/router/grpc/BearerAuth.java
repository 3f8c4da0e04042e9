package dev.silkroute.router.grpc;

import dev.silkroute.proto.v1.RouterGrpc;
import dev.silkroute.router.auth.ApiKeys;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.Caller;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.Optional;

/**
 * Authenticates every call by its {@code authorization: Bearer sk-...} metadata, as the HTTP API
 * does its header (ListModels excepted, public like {@code GET /v1/models}), and hands the {@link Caller} to the service through the gRPC {@link Context}.
 */
final class BearerAuth implements ServerInterceptor {

  static final Context.Key<Caller> CALLER = Context.key("silkroute-caller");
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
      Metadata.ASCII_STRING_MARSHALLER);

  private final ApiKeys keys;

  BearerAuth(ApiKeys keys) {
    this.keys = keys;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                     ServerCallHandler<Q, R> next) {
    if (call.getMethodDescriptor().getFullMethodName().equals(RouterGrpc.getListModelsMethod().getFullMethodName())) {
      return next.startCall(call, headers); // the catalog is public, as GET /v1/models is
    }
    String authorization = headers.get(AUTHORIZATION);
    Optional<Caller> caller = Optional.empty();
    RouterError refusal;
    if (authorization == null || authorization.isBlank()) {
      refusal = RouterError.unauthorized("You didn't provide an API key. Send it as metadata "
          + "'authorization: Bearer sk-...'");
    } else {
      String token = ApiKeys.presentedKey(authorization);
      caller = keys.authenticate(token);
      refusal = RouterError.unauthorized("Incorrect or revoked API key provided");
    }
    if (caller.isEmpty()) {
      StatusRuntimeException error = ErrorStatus.of(refusal);
      call.close(error.getStatus(), error.getTrailers());
      return new ServerCall.Listener<>() { };
    }
    return Contexts.interceptCall(Context.current().withValue(CALLER, caller.get()), call, headers, next);
  }
}
