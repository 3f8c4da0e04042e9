/**
 * Implementation of the simulator. Not an API: other modules use {@code dev.silkroute.providersim}
 * ({@code ProviderSim}, {@code ProviderConfig}, {@code Knobs}) and the HTTP surface only.
 */
package dev.silkroute.providersim.internal;
