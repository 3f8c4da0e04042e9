package dev.silkroute.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CopyTextTest {

  @Test
  void escapesCopyDelimitersAndWritesNullsAsBackslashN() {
    StringBuilder out = new StringBuilder();

    CopyText.text(out, "a\tb\nc\\d\re");
    out.append('|');
    CopyText.text(out, null);

    assertThat(out.toString()).isEqualTo("a\\tb\\nc\\\\d\\re|\\N");
  }

  @Test
  void writesOneLineWithAFieldPerStagingColumn() {
    LedgerEntry e = new LedgerEntry("gen-1", "cus_1", null, "m", "a", "p", null, null, 1, 2, 3, 4,
        5, 6, 7, 8, 9, "ok", null, 1, true, Instant.parse("2025-11-13T02:13:20.250Z"), null,
        "r\t1", new LedgerEntry.Source("topic", 2, 42));
    StringBuilder out = new StringBuilder();

    CopyText.append(out, e);

    String line = out.toString();
    assertThat(line).endsWith("\n").containsOnlyOnce("\n");
    String[] fields = line.substring(0, line.length() - 1).split("\t", -1);
    assertThat(fields).hasSize(CopyText.COLUMNS.split(",").length);
    assertThat(fields[20]).isEqualTo("t");
    assertThat(fields[21]).isEqualTo("2025-11-13T02:13:20.250Z");
    assertThat(fields[22]).isEqualTo("\\N");
    assertThat(fields[23]).isEqualTo("r\\t1");
    assertThat(fields[26]).isEqualTo("42");
  }
}
