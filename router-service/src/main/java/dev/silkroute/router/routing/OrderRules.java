package dev.silkroute.router.routing;

/**
 * Which rules of the default order are on ({@code silkroute.routing.*}).
 *
 * @param effectiveCost draw by the request's {@link EffectiveCost} score rather than the blended list price
 */
public record OrderRules(boolean effectiveCost) {

  /** Every rule on. */
  public static OrderRules ofDefaults() {
    return new OrderRules(true);
  }
}
