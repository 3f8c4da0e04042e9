package dev.silkroute.providersim.internal.generation;

/**
 * The simulator's tokenizer stand-in, deterministic and documented so that clients can predict usage:
 *
 * <ul>
 *   <li>text in a request: {@code ceil(chars / 4)} tokens (chars = UTF-16 code units), the usual
 *       "four characters per token" rule of thumb;
 *   <li>each request message adds {@value #PER_MESSAGE} tokens of framing;
 *   <li>generated text: one token per word (every word is streamed as one delta);
 *   <li>generated tool arguments: one token per fragment of {@value #ARGUMENT_FRAGMENT_CHARS} chars.
 * </ul>
 */
public final class TokenCount {

  public static final int PER_MESSAGE = 4;
  public static final int ARGUMENT_FRAGMENT_CHARS = 4;

  private TokenCount() {}

  public static long ofText(String text) {
    return text == null ? 0 : (text.length() + 3) / 4;
  }
}
