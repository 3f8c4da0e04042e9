package dev.silkroute.worker.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The KV blocks of prompt prefixes a GPU keeps after their requests ended, as vLLM's automatic prefix
 * caching does: blocks are named by the router's hash chain ({@link GenerationRequest#prefix()}), so a
 * request whose leading blocks are held skips their prefill. Least recently used blocks are evicted
 * when the cache is full. Not thread-safe: the simulated GPU calls it under its lock.
 */
final class PrefixCache {

  private final long capacityBlocks;
  // Access order: the eldest entry is the least recently used block.
  private final LinkedHashMap<Long, Boolean> blocks = new LinkedHashMap<>(64, 0.75f, true);

  /** @param capacityBlocks blocks held at most (KV-cache tokens over tokens per block) */
  PrefixCache(long capacityBlocks) {
    if (capacityBlocks < 1) {
      throw new IllegalArgumentException("capacityBlocks must be >= 1, was " + capacityBlocks);
    }
    this.capacityBlocks = capacityBlocks;
  }

  /** How many leading blocks of {@code prefix} are held (a chain breaks at its first missing block). */
  int leadingHeld(List<Long> prefix) {
    int held = 0;
    for (Long hash : prefix) {
      if (!blocks.containsKey(hash)) {
        break;
      }
      held++;
    }
    return held;
  }

  /** The request's blocks were prefilled (or reused): they are now the most recently used. */
  void touch(List<Long> prefix) {
    for (Long hash : prefix) {
      blocks.put(hash, Boolean.TRUE);
    }
    Iterator<Map.Entry<Long, Boolean>> eldest = blocks.entrySet().iterator();
    while (blocks.size() > capacityBlocks && eldest.hasNext()) {
      eldest.next();
      eldest.remove();
    }
  }

  /** The held blocks, most recently used first, at most {@code max}. */
  List<Long> mostRecent(int max) {
    List<Long> all = new ArrayList<>(blocks.keySet());
    List<Long> out = new ArrayList<>(Math.min(max, all.size()));
    for (int i = all.size() - 1; i >= 0 && out.size() < max; i--) {
      out.add(all.get(i));
    }
    return out;
  }

  int size() {
    return blocks.size();
  }
}
