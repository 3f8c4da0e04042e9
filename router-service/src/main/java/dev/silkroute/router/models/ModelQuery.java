package dev.silkroute.router.models;

import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a client asked of {@code GET /models}: OpenRouter's paging ({@code offset}, {@code limit}) and
 * the filters Silkroute's catalog can answer ({@code supported_parameters}, {@code input_modalities},
 * {@code output_modalities}, each a comma-separated list a model must match all of; {@code "all"}
 * for the output modalities means no filter). As OpenRouter does, when neither {@code offset} nor
 * {@code limit} is given the whole list is returned; when either is, {@code limit} defaults to 500.
 * Unlike OpenRouter, no output modality is assumed: without the parameter every model is listed.
 */
public record ModelQuery(int offset, OptionalInt limit, Set<String> supportedParameters,
                         Set<String> inputModalities, Set<String> outputModalities) {

  static final int DEFAULT_LIMIT = 500;
  static final int MAX_LIMIT = 1000;

  public static final ModelQuery ALL = new ModelQuery(0, OptionalInt.empty(), Set.of(), Set.of(), Set.of());

  public ModelQuery {
    supportedParameters = Set.copyOf(supportedParameters);
    inputModalities = Set.copyOf(inputModalities);
    outputModalities = Set.copyOf(outputModalities);
  }

  /**
   * Reads the query parameters (absent ones null); a bad value is a 400 naming the parameter.
   * Parameters OpenRouter knows and Silkroute cannot answer (category, sort, ...) are ignored, as an
   * OpenRouter client sending them expects an answer, not an error.
   */
  public static ModelQuery parse(String offset, String limit, String supportedParameters, String inputModalities,
                                 String outputModalities) {
    int first = offset == null && limit == null ? 0 : number("offset", offset, 0, 0, Integer.MAX_VALUE);
    OptionalInt size = offset == null && limit == null ? OptionalInt.empty()
        : OptionalInt.of(number("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT));
    Set<String> outputs = list(outputModalities);
    return new ModelQuery(first, size, list(supportedParameters), list(inputModalities),
        outputs.contains("all") ? Set.of() : outputs);
  }

  /** Whether the model passes every filter. */
  boolean admits(Model model, List<String> parameters) {
    return parameters.containsAll(supportedParameters)
        && model.details().inputModalities().containsAll(inputModalities)
        && model.details().outputModalities().containsAll(outputModalities);
  }

  /** The models of this query's page. */
  <T> List<T> page(List<T> all) {
    if (limit.isEmpty()) {
      return all;
    }
    int from = Math.min(offset, all.size());
    return all.subList(from, (int) Math.min(all.size(), (long) from + limit.getAsInt()));
  }

  /** The path and query of the next page after this one, if there are more than {@code total} reaches. */
  Optional<String> next(String path, int total) {
    if (limit.isEmpty() || (long) offset + limit.getAsInt() >= total) {
      return Optional.empty();
    }
    Map<String, String> query = new LinkedHashMap<>();
    query.put("offset", String.valueOf(offset + limit.getAsInt()));
    query.put("limit", String.valueOf(limit.getAsInt()));
    putList(query, "supported_parameters", supportedParameters);
    putList(query, "input_modalities", inputModalities);
    putList(query, "output_modalities", outputModalities);
    return Optional.of(path + "?" + query.entrySet().stream()
        .map(entry -> entry.getKey() + "=" + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&")));
  }

  private static void putList(Map<String, String> query, String name, Set<String> values) {
    if (!values.isEmpty()) {
      query.put(name, values.stream().sorted().collect(Collectors.joining(",")));
    }
  }

  private static int number(String name, String value, int absent, int min, int max) {
    if (value == null) {
      return absent;
    }
    try {
      int number = Integer.parseInt(value.trim());
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // answered below, with the range
    }
    throw new RouterException(RouterError.invalidRequest("'" + name + "' must be an integer from " + min + " to "
        + max + ", not '" + value + "'", name));
  }

  private static Set<String> list(String value) {
    if (value == null) {
      return Set.of();
    }
    return Arrays.stream(value.split(",")).map(part -> part.trim().toLowerCase(Locale.ROOT))
        .filter(part -> !part.isEmpty()).collect(Collectors.toUnmodifiableSet());
  }
}
