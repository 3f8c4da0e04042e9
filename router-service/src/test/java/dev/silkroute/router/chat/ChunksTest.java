package dev.silkroute.router.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ChunksTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static boolean output(String chunk) throws Exception {
    return Chunks.carriesOutput(JSON.readTree(chunk));
  }

  @Test
  void theRoleOnlyOpeningCarriesNoOutput() throws Exception {
    assertThat(output("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
        + "\"finish_reason\":null}]}")).isFalse();
    assertThat(output("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}")).isFalse();
    assertThat(output("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[]}}]}")).isFalse();
  }

  @Test
  void textReasoningToolCallsAndAFinishAreOutput() throws Exception {
    assertThat(output("{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}")).isTrue();
    assertThat(output("{\"choices\":[{\"delta\":{\"reasoning_content\":\"hmm\"}}]}")).isTrue();
    assertThat(output("{\"choices\":[{\"delta\":{\"reasoning\":\"hmm\"}}]}")).isTrue();
    assertThat(output("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\"}]}}]}")).isTrue();
    assertThat(output("{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}")).isTrue();
  }
}
