package dev.silkroute.contracts.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseDecoderTest {

  /** An event as the listener saw it. */
  record Event(String type, String data) {
  }

  private final List<Event> events = new ArrayList<>();
  private final SseDecoder decoder = new SseDecoder((type, data, offset, length) ->
      events.add(new Event(type, new String(data, offset, length, StandardCharsets.UTF_8))));

  private static final String STREAM = "\uFEFF: keep-alive\r\n\r\n"
      + "data: {\"choices\":[{\"delta\":{\"content\":\"Grüße, 世界 🌍\"}}]}\n\n"
      + "event: content_block_delta\r\ndata: {\"a\":1}\r\n\r\n"
      + "data: first\ndata:second\nid: 7\nretry: 100\n\n"
      + "data\n\n"
      + ": comment only\n\n"
      + "data: [DONE]\r\r";

  private static final List<Event> EXPECTED = List.of(
      new Event(null, "{\"choices\":[{\"delta\":{\"content\":\"Grüße, 世界 🌍\"}}]}"),
      new Event("content_block_delta", "{\"a\":1}"),
      new Event(null, "first\nsecond"),
      new Event(null, ""),
      new Event(null, "[DONE]"));

  @Test
  void decodesEventsWhateverTheLineEndings() {
    decoder.feed(ByteBuffer.wrap(STREAM.getBytes(StandardCharsets.UTF_8)));

    assertThat(events).containsExactlyElementsOf(EXPECTED);
  }

  @Test
  void decodesTheSameEventsWhereverTheBytesAreSplit() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      for (int second = split; second <= bytes.length; second += 7) {
        events.clear();
        SseDecoder fresh = new SseDecoder((type, data, offset, length) ->
            events.add(new Event(type, new String(data, offset, length, StandardCharsets.UTF_8))));
        fresh.feed(bytes, 0, split);
        fresh.feed(ByteBuffer.allocateDirect(second - split).put(bytes, split, second - split).flip());
        fresh.feed(ByteBuffer.wrap(bytes, second, bytes.length - second).slice());

        assertThat(events).as("split at %d and %d", split, second).containsExactlyElementsOf(EXPECTED);
      }
    }
  }

  @Test
  void decodesOneByteAtATime() {
    for (byte b : STREAM.getBytes(StandardCharsets.UTF_8)) {
      decoder.feed(new byte[] {b}, 0, 1);
    }

    assertThat(events).containsExactlyElementsOf(EXPECTED);
  }

  @Test
  void decodesLinesLongerThanItsBufferInOneFeedOrSplit() {
    String big = "x".repeat(10_000) + "é" + "y".repeat(3_000);
    byte[] bytes = ("data: " + big + "\r\n\r\ndata: " + big + "\n\n").getBytes(StandardCharsets.UTF_8);

    decoder.feed(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
    decoder.feed(bytes, 0, 4_000);
    decoder.feed(bytes, 4_000, bytes.length - 4_000);

    assertThat(events).hasSize(4).allSatisfy(event -> assertThat(event.data()).isEqualTo(big));
  }

  @Test
  void endDispatchesAnEventWhoseBlankLineNeverCame() {
    decoder.feed(ByteBuffer.wrap("data: {\"x\":1}\n\ndata: {\"y\":2}".getBytes(StandardCharsets.UTF_8)));
    assertThat(events).containsExactly(new Event(null, "{\"x\":1}"));

    decoder.end();

    assertThat(events).containsExactly(new Event(null, "{\"x\":1}"), new Event(null, "{\"y\":2}"));
  }

  @Test
  void stopsDispatchingOnceStopped() {
    SseDecoder stopping = new SseDecoder((type, data, offset, length) ->
        events.add(new Event(type, new String(data, offset, length, StandardCharsets.UTF_8))));
    stopping.feed(ByteBuffer.wrap("data: a\n\n".getBytes(StandardCharsets.UTF_8)));
    stopping.stop();
    stopping.feed(ByteBuffer.wrap("data: b\n\n".getBytes(StandardCharsets.UTF_8)));
    stopping.end();

    assertThat(events).containsExactly(new Event(null, "a"));
  }

  @Test
  void aLeadingByteThatOnlyLooksLikeABomIsKept() {
    byte[] bytes = "\u00EFdata: x\n\n".getBytes(StandardCharsets.ISO_8859_1);
    decoder.feed(bytes, 0, bytes.length);
    decoder.end();

    assertThat(events).isEmpty(); // "\u00EFdata" is not the data field
    events.clear();
    byte[] bom = "\uFEFFdata: x\n\n".getBytes(StandardCharsets.UTF_8);
    SseDecoder fresh = new SseDecoder((type, data, offset, length) ->
        events.add(new Event(type, new String(data, offset, length, StandardCharsets.UTF_8))));
    fresh.feed(bom, 0, bom.length);
    assertThat(events).containsExactly(new Event(null, "x"));
  }

  @Test
  void recognisesDoneWithSurroundingBlanks() {
    byte[] done = " [DONE] \r".getBytes(StandardCharsets.US_ASCII);
    byte[] notDone = "[DONE]x".getBytes(StandardCharsets.US_ASCII);

    assertThat(SseDecoder.isDone(done, 0, done.length)).isTrue();
    assertThat(SseDecoder.isDone(notDone, 0, notDone.length)).isFalse();
    assertThat(SseDecoder.isDone(notDone, 0, 6)).isTrue();
  }

  @Test
  void roundTripsEventsItsEncoderWrites() {
    List<Event> written = List.of(new Event(null, "{\"k\":\"v\"}"), new Event("ping", "{}"),
        new Event(null, "line one\nline two"), new Event("message_stop", "{\"type\":\"message_stop\"}"));
    StringBuilder wire = new StringBuilder();
    for (Event event : written) {
      if (event.type() != null) {
        wire.append("event: ").append(event.type()).append('\n');
      }
      for (String line : event.data().split("\n", -1)) {
        wire.append("data: ").append(line).append('\n');
      }
      wire.append('\n');
    }

    byte[] bytes = wire.toString().getBytes(StandardCharsets.UTF_8);
    decoder.feed(bytes, 0, bytes.length);

    assertThat(events).containsExactlyElementsOf(written);
  }
}
