package dev.silkroute.contracts.sse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Server-sent events from bytes, as they arrive (the WHATWG EventSource parsing rules): lines end at
 * CR, LF or CRLF, a blank line dispatches the event, {@code data:} lines join with {@code \n}, a
 * single space after the colon is dropped, {@code :} lines are comments, {@code event:} names the
 * event, other fields ({@code id}, {@code retry}) are ignored, and a leading UTF-8 BOM is skipped.
 * A line, a CRLF, and a UTF-8 character may be split across any two feeds: a line is only decoded
 * once it is whole, and no line-break byte occurs inside a multi-byte character.
 *
 * <p>Data is handed over as bytes, not text, so that a JSON event is parsed straight from the
 * decoder's buffer. One instance per stream; not thread-safe (feed it from one thread at a time).
 */
public final class SseDecoder {

  /** Receives each event as soon as its blank line is read. */
  @FunctionalInterface
  public interface Listener {

    /**
     * One event. {@code data[offset, offset + length)} is its data (UTF-8), valid only during the
     * call: the decoder reuses the array.
     *
     * @param type the {@code event:} field, or null for the default type ({@code message})
     */
    void onEvent(String type, byte[] data, int offset, int length);
  }

  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final Listener listener;
  private byte[] line = new byte[256];
  private int lineLength;
  private byte[] data = new byte[256];
  private int dataLength;
  private boolean hasData;
  private String type;
  private boolean afterCarriageReturn;
  /** Bytes of the stream's start still checked against the BOM; -1 once past it. */
  private int bomChecked;
  private boolean stopped;

  public SseDecoder(Listener listener) {
    this.listener = listener;
  }

  /** Decodes what {@code bytes} holds from its position to its limit, and consumes it. */
  public void feed(ByteBuffer bytes) {
    int i = bytes.position();
    int end = bytes.limit();
    while (i < end && !stopped) {
      if (bomChecked < 0) {
        // The bytes up to the next line break are the line's: copied at once, not one by one
        // (a chunk's JSON is hundreds of bytes; the byte-wise path cost ~0.5 µs per chunk).
        int lineBreak = i;
        while (lineBreak < end && !isLineBreak(bytes.get(lineBreak))) {
          lineBreak++;
        }
        if (lineBreak > i) {
          appendRun(bytes, i, lineBreak - i);
          i = lineBreak;
          continue;
        }
      }
      accept(bytes.get(i++));
    }
    bytes.position(end);
  }

  public void feed(byte[] bytes, int offset, int length) {
    feed(ByteBuffer.wrap(bytes, offset, length));
  }

  /**
   * The stream ended. An event whose closing blank line never came is dispatched anyway (a stream
   * cut right after its last event, or a server that ends without the blank line), with a last
   * line that had no line break.
   */
  public void end() {
    if (stopped) {
      return;
    }
    if (lineLength > 0) {
      line();
    }
    dispatch();
  }

  /** No further event is dispatched, whatever is fed: for a listener that has seen enough. */
  public void stop() {
    stopped = true;
  }

  /** Whether an event's data is OpenAI's end-of-stream marker {@code [DONE]} (surrounding blanks allowed). */
  public static boolean isDone(byte[] data, int offset, int length) {
    int from = offset;
    int to = offset + length;
    while (from < to && (data[from] & 0xff) <= ' ') {
      from++;
    }
    while (to > from && (data[to - 1] & 0xff) <= ' ') {
      to--;
    }
    return Arrays.equals(data, from, to, DONE, 0, DONE.length);
  }

  private void accept(byte b) {
    if (bomChecked >= 0) {
      if (b == BOM[bomChecked]) {
        if (++bomChecked == BOM.length) {
          bomChecked = -1;
        }
        return;
      }
      // Not a BOM after all: the bytes taken for one are the line's start.
      for (int i = 0; i < bomChecked; i++) {
        append(BOM[i]);
      }
      bomChecked = -1;
    }
    if (b == '\n') {
      if (afterCarriageReturn) {
        afterCarriageReturn = false; // the second half of a CRLF
        return;
      }
      line();
    } else if (b == '\r') {
      afterCarriageReturn = true;
      line();
    } else {
      afterCarriageReturn = false;
      append(b);
    }
  }

  private static boolean isLineBreak(byte b) {
    return b == '\n' || b == '\r';
  }

  /** Bytes of a line that holds no line break, {@code bytes[from, from + length)}. */
  private void appendRun(ByteBuffer bytes, int from, int length) {
    if (lineLength + length > line.length) {
      line = Arrays.copyOf(line, Math.max(lineLength + length, line.length * 2));
    }
    bytes.get(from, line, lineLength, length);
    lineLength += length;
    afterCarriageReturn = false;
  }

  private void append(byte b) {
    if (lineLength == line.length) {
      line = Arrays.copyOf(line, lineLength * 2);
    }
    line[lineLength++] = b;
  }

  private void line() {
    int length = lineLength;
    lineLength = 0;
    if (length == 0) {
      dispatch();
      return;
    }
    if (line[0] == ':') {
      return; // a comment, such as ": keep-alive"
    }
    int colon = 0;
    while (colon < length && line[colon] != ':') {
      colon++;
    }
    int valueFrom = colon < length ? colon + 1 : length;
    if (valueFrom < length && line[valueFrom] == ' ') {
      valueFrom++;
    }
    if (isField(colon, DATA)) {
      addData(valueFrom, length);
    } else if (isField(colon, EVENT)) {
      type = new String(line, valueFrom, length - valueFrom, StandardCharsets.UTF_8);
    }
  }

  private boolean isField(int nameLength, byte[] name) {
    return nameLength == name.length && Arrays.equals(line, 0, nameLength, name, 0, nameLength);
  }

  private void addData(int from, int to) {
    int needed = dataLength + (hasData ? 1 : 0) + (to - from);
    if (needed > data.length) {
      data = Arrays.copyOf(data, Math.max(needed, data.length * 2));
    }
    if (hasData) {
      data[dataLength++] = '\n';
    }
    System.arraycopy(line, from, data, dataLength, to - from);
    dataLength += to - from;
    hasData = true;
  }

  private void dispatch() {
    if (hasData && !stopped) {
      int length = dataLength;
      String eventType = type;
      dataLength = 0;
      hasData = false;
      type = null;
      listener.onEvent(eventType, data, 0, length);
    } else {
      dataLength = 0;
      hasData = false;
      type = null;
    }
  }
}
