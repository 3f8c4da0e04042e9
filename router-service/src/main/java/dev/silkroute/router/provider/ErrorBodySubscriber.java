package dev.silkroute.router.provider;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The first bytes of an error answer, as text: enough for any provider's error object, bounded for a
 * bad one. The connection is closed once the bound is reached. Completes with null when the
 * connection broke before the body ended, as a blocking read would have given up.
 */
final class ErrorBodySubscriber implements HttpResponse.BodySubscriber<String> {

  private final int limit;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<String> text = new CompletableFuture<>();
  private Flow.Subscription subscription;

  ErrorBodySubscriber(int limit) {
    this.limit = limit;
  }

  @Override
  public CompletionStage<String> getBody() {
    return text;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    subscription.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer buffer : buffers) {
      int n = Math.min(buffer.remaining(), limit - bytes.size());
      byte[] part = new byte[n];
      buffer.get(part);
      bytes.write(part, 0, n);
    }
    if (bytes.size() >= limit) {
      subscription.cancel();
      onComplete();
    } else {
      subscription.request(1);
    }
  }

  @Override
  public void onError(Throwable error) {
    text.complete(null);
  }

  @Override
  public void onComplete() {
    text.complete(bytes.toString(StandardCharsets.UTF_8));
  }
}
