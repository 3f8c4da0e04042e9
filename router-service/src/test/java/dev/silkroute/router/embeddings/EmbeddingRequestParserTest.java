package dev.silkroute.router.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EmbeddingRequestParserTest {

  private static final String VALID = "{\"model\":\"openai/text-embedding-3-small\",\"input\":[\"silk\",\"road\"],"
      + "\"encoding_format\":\"float\",\"dimensions\":256,\"user\":\"u1\",\"models\":[\"baai/bge-m3\"],"
      + "\"provider\":{\"order\":[\"openai\"],\"allow_fallbacks\":true}}";

  private final EmbeddingRequestParser parser = new EmbeddingRequestParser(new ObjectMapper());

  @Test
  void readsTheTextsAndBoundsTheirTokensByTheirUtf8Bytes() {
    EmbeddingRequest request = parser.parse("{\"model\":\"a/e\",\"input\":[\"ab\",\"\u00e9\u4e2d\ud83d\udc2b\"]}"
        .getBytes(StandardCharsets.UTF_8));

    assertThat(request.inputs()).isEqualTo(2);
    assertThat(request.inputChars()).isEqualTo(2 + 4);
    assertThat(request.inputBytes()).isEqualTo(2 + 2 + 3 + 4);
    assertThat(request.dimensions()).isEmpty();
  }

  @Test
  void givesRoutingOnlyTheRoutingFieldsAndTheParametersAskedFor() {
    EmbeddingRequest request = parser.parse(VALID.getBytes(StandardCharsets.UTF_8));

    assertThat(request.routing().body().fieldNames()).toIterable()
        .containsExactlyInAnyOrder("model", "models", "provider", "dimensions", "encoding_format");
    assertThat(request.dimensions()).hasValue(256);
  }

  @Test
  void refusesTokenArraysNamingTheInput() {
    RouterException e = catchThrowableOfType(RouterException.class,
        () -> parser.parse("{\"model\":\"a/e\",\"input\":[\"a\",[1,2]]}".getBytes(StandardCharsets.UTF_8)));

    assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(e.error().param()).isEqualTo("input[1]");
    assertThat(e.error().message()).contains("token arrays are not supported");
  }

  @Test
  void mangledBodiesAreAcceptedOrRefusedAsInvalidNeverAnythingElse() {
    Random random = new Random(20261206);
    int refused = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] body = MangledBodies.mangle(VALID, random);
      try {
        parser.parse(body);
      } catch (RouterException e) {
        assertThat(e.error().kind()).as(new String(body, StandardCharsets.UTF_8)).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(e.error().message()).isNotBlank();
        refused++;
      }
    }
    assertThat(refused).as("the fuzzer must actually break bodies").isGreaterThan(5_000);
  }
}
