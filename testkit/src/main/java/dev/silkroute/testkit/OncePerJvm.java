package dev.silkroute.testkit;

import java.util.function.Supplier;

/**
 * A value computed on first use and shared by every test in the JVM. A failure is remembered too:
 * the second test asking for a broker that could not start gets the same explanation at once
 * instead of waiting for another start-up timeout.
 */
final class OncePerJvm<T> {

  private final String what;
  private final Supplier<T> factory;
  private T value;
  private RuntimeException failure;

  OncePerJvm(String what, Supplier<T> factory) {
    this.what = what;
    this.factory = factory;
  }

  synchronized T get() {
    if (value != null) {
      return value;
    }
    if (failure != null) {
      throw new IllegalStateException(what + " is unavailable in this JVM: " + failure.getMessage(), failure);
    }
    try {
      value = factory.get();
      return value;
    } catch (RuntimeException e) {
      failure = e;
      throw e;
    }
  }
}
