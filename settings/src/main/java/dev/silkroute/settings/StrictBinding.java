package dev.silkroute.settings;

import io.micronaut.context.annotation.ConfigurationReader;
import io.micronaut.context.env.Environment;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.naming.NameUtils;
import io.micronaut.core.type.Argument;
import io.micronaut.inject.BeanDefinition;
import jakarta.inject.Singleton;

/**
 * Stops start-up when a setting is set to a value its record cannot take ({@code drain-timeout: soon},
 * {@code grpc-port: lots}). Micronaut binds a {@code @ConfigurationProperties} record's component from
 * its {@code @Bindable} default, or null, when the value set does not convert, and says nothing; a
 * service would then run with a value nobody chose. Ranges and formats are the records' own
 * jakarta.validation constraints; this only checks that what is set can be read at all, and names the
 * property and the value.
 */
@Singleton
final class StrictBinding implements BeanCreatedEventListener<Record> {

  private final Environment environment;

  StrictBinding(Environment environment) {
    this.environment = environment;
  }

  @Override
  public Record onCreated(BeanCreatedEvent<Record> event) {
    BeanDefinition<Record> definition = event.getBeanDefinition();
    definition.stringValue(ConfigurationReader.class, ConfigurationReader.PREFIX).ifPresent(prefix -> {
      for (Argument<?> component : definition.getConstructor().getArguments()) {
        check(prefix + "." + NameUtils.hyphenate(component.getName()), component);
      }
    });
    return event.getBean();
  }

  private void check(String property, Argument<?> type) {
    if (!environment.containsProperty(property)) {
      return;
    }
    String value = environment.getProperty(property, String.class).orElse("");
    // Micronaut reads any word as a boolean (false unless yes/on/true): "ture" must not mean false.
    boolean unreadable = isBoolean(type)
        ? !value.strip().toLowerCase(java.util.Locale.ROOT).matches("true|false|yes|no|on|off")
        : environment.getProperty(property, type).isEmpty();
    if (unreadable) {
      throw new ConfigurationException("Invalid configuration " + property + "='" + value + "': not a "
          + describe(type));
    }
  }

  private static boolean isBoolean(Argument<?> type) {
    return type.getType() == boolean.class || type.getType() == Boolean.class;
  }

  private static String describe(Argument<?> type) {
    Class<?> raw = type.getType();
    if (raw == java.time.Duration.class) {
      return "duration (such as 500ms, 30s, 5m or PT30S)";
    }
    if (isBoolean(type)) {
      return "boolean (true or false)";
    }
    if (Number.class.isAssignableFrom(Argument.of(raw).getWrapperType())) {
      return "number (" + raw.getSimpleName() + ")";
    }
    return type.getTypeString(true);
  }
}
