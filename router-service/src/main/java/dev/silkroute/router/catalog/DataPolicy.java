package dev.silkroute.router.catalog;

/**
 * What a provider does with prompts, as its terms state. Requests with
 * {@code provider.data_collection: "deny"} only go where {@link #collects()} is false.
 *
 * @param trainsOnPrompts the provider may train on prompts and completions
 * @param retainsPrompts  the provider stores prompts beyond serving the request (e.g. abuse review)
 */
public record DataPolicy(boolean trainsOnPrompts, boolean retainsPrompts) {

  /** Neither trains nor retains: what self-hosted workers do. */
  public static final DataPolicy NONE = new DataPolicy(false, false);

  /** Unknown policy: assumed to collect, so "deny" excludes it. */
  public static final DataPolicy UNKNOWN = new DataPolicy(true, true);

  public boolean collects() {
    return trainsOnPrompts || retainsPrompts;
  }
}
