package dev.silkroute.worker.engine;

import java.util.Iterator;
import java.util.function.Predicate;

/**
 * Reads the {@code data} of server-sent events from response lines (WHATWG EventSource rules,
 * the subset OpenAI-style streams use: {@code data:} lines joined by newlines, an empty line
 * dispatches, {@code :} comments and other fields ignored).
 */
final class ServerSentEvents {
  private ServerSentEvents() {}

  /** Feeds each event's data to {@code onData} until it returns false or the lines end. */
  static void forEachData(Iterator<String> lines, Predicate<String> onData) {
    StringBuilder data = null;
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.isEmpty()) {
        if (data != null && !onData.test(data.toString())) {
          return;
        }
        data = null;
      } else if (line.startsWith("data:")) {
        String value = line.substring(line.length() > 5 && line.charAt(5) == ' ' ? 6 : 5);
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
    if (data != null) {
      onData.test(data.toString()); // a stream cut without its final blank line still counts
    }
  }
}
