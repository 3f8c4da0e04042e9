package dev.silkroute.providersim.internal.generation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.providersim.internal.generation.ChatTurn.ToolChoice.Mode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Decides the simulated model's answer. Everything is a function of the request (model and messages),
 * so the same request always gets the same answer, whichever provider serves it:
 *
 * <ul>
 *   <li>tools with a forced choice (a named tool, or any/required), unless the conversation ends with a
 *       tool result: a call of that tool (any: one picked from the request hash) with arguments
 *       generated from its schema;
 *   <li>otherwise text of {@code completionTokens} words (0 = 12..63 from the request hash);
 *   <li>either is cut at {@code maxTokens}, which makes the finish reason LENGTH.
 * </ul>
 */
public final class CompletionPlanner {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CompletionPlanner() {}

  public static Completion plan(ChatTurn turn, int completionTokens) {
    long seed = contentSeed(turn);
    Optional<ChatTurn.Tool> tool = forcedTool(turn, seed);
    if (tool.isPresent()) {
      return toolCall(turn, tool.get(), seed);
    }
    SplittableRandom random = new SplittableRandom(seed);
    int wanted = completionTokens > 0 ? completionTokens : 12 + (int) Long.remainderUnsigned(seed, 52);
    long cap = turn.maxTokens().orElse(Long.MAX_VALUE);
    int count = (int) Math.min(wanted, cap);
    List<String> words = new ArrayList<>(count);
    boolean sentenceStart = true;
    for (int i = 0; i < count; i++) {
      String word = Vocabulary.word(random);
      if (sentenceStart) {
        word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
      }
      boolean last = i == count - 1;
      // Mid-text sentences end at random; the text ends with a full stop only if it was not cut.
      sentenceStart = random.nextInt(10) == 0 && !last || last && count == wanted;
      words.add((i == 0 ? "" : " ") + word + (sentenceStart ? "." : ""));
    }
    Completion.FinishReason finish =
        wanted > cap ? Completion.FinishReason.LENGTH : Completion.FinishReason.STOP;
    return new Completion(words, Optional.empty(), finish, turn.promptTokens());
  }

  private static Optional<ChatTurn.Tool> forcedTool(ChatTurn turn, long seed) {
    if (turn.tools().isEmpty() || turn.endsWithToolResult()) {
      return Optional.empty();
    }
    ChatTurn.ToolChoice choice = turn.toolChoice();
    if (choice.mode() == Mode.NAMED) {
      return turn.tools().stream().filter(t -> t.name().equals(choice.name())).findFirst();
    }
    if (choice.mode() == Mode.ANY) {
      return Optional.of(turn.tools().get((int) Long.remainderUnsigned(seed, turn.tools().size())));
    }
    return Optional.empty();
  }

  private static Completion toolCall(ChatTurn turn, ChatTurn.Tool tool, long seed) {
    String arguments;
    try {
      arguments = MAPPER.writeValueAsString(
          SchemaValues.generate(tool.schema(), new SplittableRandom(seed)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise generated arguments for " + tool.name(), e);
    }
    List<String> fragments = fragments(arguments);
    long cap = turn.maxTokens().orElse(Long.MAX_VALUE);
    Completion.FinishReason finish = Completion.FinishReason.TOOL_CALLS;
    if (fragments.size() > cap) {
      fragments = fragments.subList(0, (int) cap);
      finish = Completion.FinishReason.LENGTH;
    }
    String id = HexFormat.of().formatHex(sha256(tool.name() + "\u0000" + seed), 0, 12);
    return new Completion(fragments, Optional.of(new Completion.ToolCall(id, tool.name())), finish,
        turn.promptTokens());
  }

  /** Splits by code points so that no fragment ends inside a surrogate pair. */
  private static List<String> fragments(String arguments) {
    List<String> fragments = new ArrayList<>();
    int[] codePoints = arguments.codePoints().toArray();
    for (int i = 0; i < codePoints.length; i += TokenCount.ARGUMENT_FRAGMENT_CHARS) {
      int end = Math.min(codePoints.length, i + TokenCount.ARGUMENT_FRAGMENT_CHARS);
      fragments.add(new String(codePoints, i, end - i));
    }
    return fragments;
  }

  /** The first 8 bytes of SHA-256 over the model and every message's role and text. */
  static long contentSeed(ChatTurn turn) {
    StringBuilder canonical = new StringBuilder(turn.model());
    for (ChatTurn.Message message : turn.messages()) {
      canonical.append('\u0000').append(message.role()).append('\u0001').append(message.text());
    }
    byte[] digest = sha256(canonical.toString());
    long seed = 0;
    for (int i = 0; i < 8; i++) {
      seed = (seed << 8) | (digest[i] & 0xff);
    }
    return seed;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
