package dev.silkroute.router.routing;

/**
 * Which rules of the default order are on ({@code silkroute.routing.*}).
 *
 * @param effectiveCost  draw by the request's {@link EffectiveCost} score rather than the blended list price
 * @param prefixAffinity among self-hosted workers, prefer the one whose prefix cache holds most of the
 *                       prompt's leading blocks, unless its queue makes its first token later than the
 *                       next worker's
 */
public record OrderRules(boolean effectiveCost, boolean prefixAffinity) {

  /** Every rule on. */
  public static OrderRules ofDefaults() {
    return new OrderRules(true, true);
  }
}
