package dev.silkroute.router.provider;

import dev.silkroute.contracts.sse.SseDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding one streamed answer's events as the router reads them: 20 {@code chat.completion.chunk}
 * events and {@code [DONE]}, shaped like the router benchmark's mock answer (5.0 KB here, 4.8 KB
 * there), in a direct buffer, as Netty's epoll transport hands it over. Run by hand: see docs/benchmarks/router.md. Not a
 * test: never run by verify.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SseDecodeBenchmark {

  private ByteBuffer stream;

  @Setup
  public void setUp() {
    StringBuilder events = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      events.append("data: {\"id\":\"chatcmpl-f7c970534278438bdf4df462\",\"object\":\"chat.completion.chunk\",")
          .append("\"created\":1796643826,\"model\":\"mock\",\"system_fingerprint\":\"fp_provider_sim\",")
          .append("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token ").append(i)
          .append("\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
    }
    events.append("data: [DONE]\n\n");
    byte[] bytes = events.toString().getBytes(StandardCharsets.UTF_8);
    stream = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }

  @Benchmark
  public void decodeOneStream(Blackhole events) {
    SseDecoder decoder = new SseDecoder((type, data, offset, length) -> events.consume(length));
    decoder.feed(stream.duplicate());
    decoder.end();
  }
}
