package dev.silkroute.router.routing;

/**
 * What routing knows of the self-hosted workers' prefix caches: which prompt prefixes each holds
 * (from their heartbeats) and how fast each prefills, so that a prompt goes to the worker that can
 * skip most of its prefill ({@link MarketOrder}'s prefix affinity).
 */
public interface PrefixHolders {

  /** No worker holds anything. */
  PrefixHolders NONE = new PrefixHolders() {
    @Override
    public int heldBlocks(String workerId, PromptPrefix prefix) {
      return 0;
    }

    @Override
    public double prefillTokensPerSecond(String workerId) {
      return 0;
    }
  };

  /** How many leading blocks of {@code prefix} the worker reported holding; 0 for none or an unknown worker. */
  int heldBlocks(String workerId, PromptPrefix prefix);

  /** The worker's prefill speed, prompt tokens per second; 0 when unknown. */
  double prefillTokensPerSecond(String workerId);
}
