package dev.silkroute.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrictBindingTest {

  /** A settings record as the services write them. */
  @ConfigurationProperties("test.sample")
  record SampleSettings(
      @Bindable(defaultValue = "5s") Duration timeout,
      @Min(value = 1, message = "test.sample.count must be at least 1, was {validatedValue}")
      @Bindable(defaultValue = "3") int count,
      @Bindable(defaultValue = "true") boolean enabled,
      @Bindable(defaultValue = "a/b,c/d") List<String> models) {
  }

  private static SampleSettings bind(Map<String, Object> properties) {
    try (ApplicationContext context = ApplicationContext.run(properties)) {
      return context.getBean(SampleSettings.class);
    }
  }

  @Test
  void bindsDefaultsAndReadableValues() {
    assertThat(bind(Map.of())).isEqualTo(new SampleSettings(Duration.ofSeconds(5), 3, true, List.of("a/b", "c/d")));
    assertThat(bind(Map.of("test.sample.timeout", "250ms", "test.sample.count", "7", "test.sample.enabled", "false",
        "test.sample.models", "x/y")))
        .isEqualTo(new SampleSettings(Duration.ofMillis(250), 7, false, List.of("x/y")));
  }

  @Test
  void refusesAValueItCannotReadInsteadOfFallingBackToTheDefault() {
    assertThatThrownBy(() -> bind(Map.of("test.sample.timeout", "soon")))
        .hasStackTraceContaining("test.sample.timeout='soon'").hasStackTraceContaining("duration");
    assertThatThrownBy(() -> bind(Map.of("test.sample.count", "lots")))
        .hasStackTraceContaining("test.sample.count='lots'").hasStackTraceContaining("number");
    assertThatThrownBy(() -> bind(Map.of("test.sample.enabled", "maybe")))
        .hasStackTraceContaining("test.sample.enabled='maybe'").hasStackTraceContaining("true or false");
  }

  @Test
  void namesThePropertyAndTheValueOfAConstraintViolation() {
    assertThatThrownBy(() -> bind(Map.of("test.sample.count", "0")))
        .hasStackTraceContaining("test.sample.count must be at least 1, was 0");
  }
}
