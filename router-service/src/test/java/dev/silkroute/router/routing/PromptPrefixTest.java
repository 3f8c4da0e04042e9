package dev.silkroute.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class PromptPrefixTest {

  private static final String SYSTEM = "You are a careful agent. ".repeat(200); // 5000 characters

  private static JsonNode body(String tools, String system, String user) throws Exception {
    return Fixtures.JSON.readTree("{\"model\":\"a/m\"" + (tools == null ? "" : ",\"tools\":" + tools)
        + ",\"messages\":[{\"role\":\"system\",\"content\":\"" + system + "\"},"
        + "{\"role\":\"user\",\"content\":\"" + user + "\"}]}");
  }

  @Test
  void shouldNameTheSameLeadingBlocksTheSameWhateverFollows() throws Exception {
    PromptPrefix one = PromptPrefix.of(body(null, SYSTEM, "first question " + "a".repeat(2_000)));
    PromptPrefix two = PromptPrefix.of(body(null, SYSTEM, "second question " + "b".repeat(2_000)));

    // "system\n" + 5000 characters: four whole blocks of 1024 characters agree, then the turns differ
    // (about 7030 characters each: six whole blocks).
    assertThat(one.blocks()).isEqualTo(two.blocks()).isEqualTo(6);
    for (int i = 0; i < 4; i++) {
      assertThat(one.hash(i)).isEqualTo(two.hash(i));
    }
    assertThat(one.hash(4)).isNotEqualTo(two.hash(4));
    assertThat(one.hash(5)).isNotEqualTo(two.hash(5));
  }

  @Test
  void shouldChainEachBlocksHashOnEveryBlockBeforeIt() throws Exception {
    PromptPrefix one = PromptPrefix.of(body(null, SYSTEM, "hi"));
    PromptPrefix other = PromptPrefix.of(body(null, "A different opening. " + SYSTEM, "hi"));

    // The first block differs: so does every block after it, though the rest of the text is the same.
    for (int i = 0; i < Math.min(one.blocks(), other.blocks()); i++) {
      assertThat(other.hash(i)).isNotEqualTo(one.hash(i));
    }
  }

  @Test
  void shouldLeaveToolsOutForWorkersAreNotSentThem() throws Exception {
    PromptPrefix plain = PromptPrefix.of(body(null, SYSTEM, "hi"));
    PromptPrefix withTools = PromptPrefix.of(body("[{\"type\":\"function\",\"function\":{\"name\":\"f\","
        + "\"description\":\"" + "d".repeat(3_000) + "\"}}]", SYSTEM, "hi"));

    assertThat(withTools.blocks()).isEqualTo(plain.blocks());
    for (int i = 0; i < plain.blocks(); i++) {
      assertThat(withTools.hash(i)).isEqualTo(plain.hash(i));
    }
  }

  @Test
  void shouldCountOnlyWholeBlocksAndStopAtTheCap() throws Exception {
    assertThat(PromptPrefix.of(body(null, "short", "hi")).isEmpty()).isTrue();
    assertThat(PromptPrefix.of(body(null, "x".repeat(1_000_000), "hi")).blocks()).isEqualTo(PromptPrefix.MAX_BLOCKS);
    assertThat(PromptPrefix.tokens(3)).isEqualTo(3 * PromptPrefix.BLOCK_TOKENS);
  }
}
