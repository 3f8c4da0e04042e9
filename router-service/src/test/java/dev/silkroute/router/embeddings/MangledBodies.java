package dev.silkroute.router.embeddings;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Mangled copies of a valid body: cut, a byte flipped, a span dropped, or an odd JSON value put in. */
final class MangledBodies {

  private static final String[] REPLACEMENTS = {"null", "true", "-1", "0", "1e309", "\"\"", "[]", "{}", "\"x\"",
      "[[[[[[[[[[]]]]]]]]]]", "\"\\ud800\"", "12345678901234567890123", "[1,2,3]", "[[1],[2]]", "2049.5",
      "\"base64\"", "[\"a\",\"\"]", "\"" + "a".repeat(10_000) + "\""};

  private MangledBodies() {
  }

  static byte[] mangle(String valid, Random random) {
    String text = valid;
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits && !text.isEmpty(); e++) {
      int at = random.nextInt(text.length());
      switch (random.nextInt(4)) {
        case 0 -> text = text.substring(0, at);
        case 1 -> text = text.substring(0, at) + (char) (32 + random.nextInt(95))
            + text.substring(Math.min(text.length(), at + 1));
        case 2 -> text = text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(20)));
        default -> {
          int colon = text.indexOf(':', at);
          if (colon > 0) {
            int end = colon + 1;
            while (end < text.length() && ",}]".indexOf(text.charAt(end)) < 0) {
              end++;
            }
            text = text.substring(0, colon + 1) + REPLACEMENTS[random.nextInt(REPLACEMENTS.length)]
                + text.substring(end);
          }
        }
      }
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
