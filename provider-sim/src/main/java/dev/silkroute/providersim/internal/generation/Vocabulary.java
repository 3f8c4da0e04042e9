package dev.silkroute.providersim.internal.generation;

import java.util.List;
import java.util.SplittableRandom;

/** Plain words the simulated models speak; one word = one token. */
final class Vocabulary {

  private static final List<String> WORDS = List.of(
      "silk", "road", "caravan", "market", "river", "desert", "oasis", "camel", "trade", "route",
      "spice", "tea", "jade", "paper", "lantern", "harbor", "bridge", "valley", "mountain", "city",
      "gate", "tower", "garden", "temple", "scroll", "ink", "brush", "map", "compass", "star",
      "moon", "sun", "wind", "rain", "cloud", "stone", "sand", "water", "fire", "light",
      "quick", "quiet", "bright", "ancient", "gentle", "steady", "golden", "open", "warm", "clear",
      "model", "token", "answer", "request", "stream", "signal", "packet", "router", "worker", "ledger",
      "travels", "carries", "finds", "builds", "follows", "measures", "counts", "shows", "keeps", "sends",
      "the", "a", "of", "and", "to", "with", "from", "over", "under", "through",
      "every", "each", "many", "some", "new", "old", "long", "short", "far", "near");

  private Vocabulary() {}

  static String word(SplittableRandom random) {
    return WORDS.get(random.nextInt(WORDS.size()));
  }
}
