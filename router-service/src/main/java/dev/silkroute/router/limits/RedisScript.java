package dev.silkroute.router.limits;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), so that a call sends the arguments and not the
 * whole script. Redis forgets its scripts when it restarts or is flushed ({@code NOSCRIPT}); the
 * script is then sent in full once ({@code EVAL}, which also caches it again).
 */
final class RedisScript {

  private final String source;
  private final String sha;

  RedisScript(RedisScriptingCommands<String, String> redis, String source) {
    this.source = source;
    this.sha = redis.digest(source);
  }

  /** Runs the script. The future completes on Lettuce's I/O thread, so what is chained to it must not block. */
  <T> CompletableFuture<T> runAsync(RedisScriptingAsyncCommands<String, String> redis, ScriptOutputType type,
                                    String[] keys, String... args) {
    return redis.<T>evalsha(sha, type, keys, args).toCompletableFuture().exceptionallyCompose(failure -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      return cause instanceof RedisNoScriptException
          ? redis.<T>eval(source, type, keys, args).toCompletableFuture()
          : CompletableFuture.failedFuture(cause);
    });
  }
}
