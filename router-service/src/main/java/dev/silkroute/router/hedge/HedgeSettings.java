package dev.silkroute.router.hedge;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Hedged first tokens ({@code silkroute.hedge.*}), checked at start-up. See {@link HedgePolicy}.
 *
 * @param enabled          whether a late first token starts a second leg at all
 * @param floor            the shortest hedge delay, however fast the endpoint's record
 * @param ceiling          the longest hedge delay, and the delay of an endpoint not measured yet
 * @param maxSharePercent  hedges allowed per window, as a share of the requests seen in it
 * @param window           the budget's window
 * @param reservePerWindow hedges allowed per window on top of the share (so that light traffic can hedge)
 */
@ConfigurationProperties("silkroute.hedge")
public record HedgeSettings(
    @Bindable(defaultValue = "false") boolean enabled,
    @Bindable(defaultValue = "250ms") Duration floor,
    @Bindable(defaultValue = "10s") Duration ceiling,
    @Bindable(defaultValue = "5") int maxSharePercent,
    @Bindable(defaultValue = "10s") Duration window,
    @Bindable(defaultValue = "2") int reservePerWindow) {

  public HedgeSettings {
    positive(floor, "floor");
    positive(ceiling, "ceiling");
    positive(window, "window");
    if (floor.compareTo(ceiling) > 0) {
      throw new IllegalArgumentException("silkroute.hedge.floor (" + floor + ") must not exceed silkroute.hedge.ceiling ("
          + ceiling + ")");
    }
    if (maxSharePercent < 0 || maxSharePercent > 100) {
      throw new IllegalArgumentException("silkroute.hedge.max-share-percent must be within 0-100, got "
          + maxSharePercent);
    }
    if (reservePerWindow < 0) {
      throw new IllegalArgumentException("silkroute.hedge.reserve-per-window must be 0 or more, got "
          + reservePerWindow);
    }
  }

  /** Off; when on: 250 ms - 10 s, 5% of requests per 10 s plus 2. */
  public static HedgeSettings ofDefaults() {
    return new HedgeSettings(false, Duration.ofMillis(250), Duration.ofSeconds(10), 5, Duration.ofSeconds(10), 2);
  }

  /** These settings, switched on. */
  public HedgeSettings on() {
    return new HedgeSettings(true, floor, ceiling, maxSharePercent, window, reservePerWindow);
  }

  private static void positive(Duration value, String name) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("silkroute.hedge." + name + " must be a positive duration, got " + value);
    }
  }
}
