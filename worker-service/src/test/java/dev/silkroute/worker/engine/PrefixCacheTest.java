package dev.silkroute.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrefixCacheTest {

  @Test
  void shouldCountOnlyTheLeadingRunOfHeldBlocks() {
    PrefixCache cache = new PrefixCache(100);
    cache.touch(List.of(1L, 2L, 3L));

    assertThat(cache.leadingHeld(List.of(1L, 2L, 3L, 4L))).isEqualTo(3);
    assertThat(cache.leadingHeld(List.of(1L, 9L, 3L))).isEqualTo(1); // a chain breaks at its first miss
    assertThat(cache.leadingHeld(List.of(9L, 2L))).isZero();
  }

  @Test
  void shouldEvictTheLeastRecentlyUsedBlocksWhenFull() {
    PrefixCache cache = new PrefixCache(4);
    cache.touch(List.of(1L, 2L));
    cache.touch(List.of(3L, 4L));
    cache.touch(List.of(1L, 2L)); // used again: now the most recent
    cache.touch(List.of(5L, 6L)); // evicts 3 and 4

    assertThat(cache.size()).isEqualTo(4);
    assertThat(cache.leadingHeld(List.of(1L, 2L))).isEqualTo(2);
    assertThat(cache.leadingHeld(List.of(3L, 4L))).isZero();
    assertThat(cache.mostRecent(3)).containsExactly(6L, 5L, 2L);
  }
}
