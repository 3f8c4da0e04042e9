package dev.silkroute.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Renders a kustomization directory the way {@code kubectl apply -k} does, for the subset of
 * kustomize that deploy/k8s uses: {@code resources} (files and directories), {@code images} and
 * {@code secretGenerator} with literals and fixed names. Anything else in a kustomization.yaml fails
 * the render, so a feature added to the manifests cannot be silently skipped by the test: extend
 * this class with it first.
 */
final class Kustomize {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "images",
      "generatorOptions", "secretGenerator");
  private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet");

  private Kustomize() {
  }

  /** The objects {@code kubectl apply -k dir} would send, as YAML trees. */
  static List<ObjectNode> render(Path dir) {
    Path file = dir.resolve("kustomization.yaml");
    JsonNode k = readOne(file);
    k.fieldNames().forEachRemaining(field -> {
      if (!SUPPORTED.contains(field)) {
        throw new IllegalStateException(file + ": '" + field + "' is not rendered by this test (supported: "
            + SUPPORTED + ")");
      }
    });
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode resource : k.path("resources")) {
      Path path = dir.resolve(resource.asText()).normalize();
      if (Files.isDirectory(path)) {
        out.addAll(render(path));
      } else {
        out.addAll(readAll(path));
      }
    }
    for (JsonNode generator : k.path("secretGenerator")) {
      if (!k.path("generatorOptions").path("disableNameSuffixHash").asBoolean(false)) {
        // With a hash suffix kustomize also renames every reference; this renderer does not.
        throw new IllegalStateException(file + ": secretGenerator needs generatorOptions.disableNameSuffixHash here");
      }
      out.add(secret(generator, file));
    }
    for (JsonNode image : k.path("images")) {
      setImage(out, image);
    }
    return out;
  }

  private static ObjectNode secret(JsonNode generator, Path file) {
    ObjectNode secret = YAML.createObjectNode();
    secret.put("apiVersion", "v1").put("kind", "Secret");
    secret.putObject("metadata").put("name", generator.path("name").asText());
    secret.put("type", generator.path("type").asText("Opaque"));
    ObjectNode data = secret.putObject("data");
    for (JsonNode literal : generator.path("literals")) {
      String text = literal.asText();
      int eq = text.indexOf('=');
      if (eq < 1) {
        throw new IllegalStateException(file + ": literal '" + text + "' is not key=value");
      }
      data.put(text.substring(0, eq),
          Base64.getEncoder().encodeToString(text.substring(eq + 1).getBytes(StandardCharsets.UTF_8)));
    }
    generator.fieldNames().forEachRemaining(field -> {
      if (!Set.of("name", "type", "literals").contains(field)) {
        throw new IllegalStateException(file + ": secretGenerator." + field + " is not rendered by this test");
      }
    });
    return secret;
  }

  /** kustomize's images transformer: matches the image name without tag, in every pod template. */
  private static void setImage(List<ObjectNode> objects, JsonNode image) {
    String name = image.path("name").asText();
    for (ObjectNode object : objects) {
      if (!WORKLOADS.contains(object.path("kind").asText())) {
        continue;
      }
      JsonNode pod = object.path("spec").path("template").path("spec");
      for (String list : List.of("containers", "initContainers")) {
        for (JsonNode container : pod.path(list)) {
          String current = container.path("image").asText();
          String bare = current.contains(":") ? current.substring(0, current.lastIndexOf(':')) : current;
          if (bare.equals(name)) {
            String newName = image.path("newName").asText(bare);
            String tag = image.path("newTag").asText(current.contains(":") ? current.substring(bare.length() + 1) : "");
            ((ObjectNode) container).put("image", tag.isEmpty() ? newName : newName + ":" + tag);
          }
        }
      }
    }
  }

  static List<ObjectNode> readAll(Path file) {
    try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(file.toFile())) {
      List<ObjectNode> docs = new ArrayList<>();
      Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode() && !(doc instanceof ArrayNode)) {
          docs.add((ObjectNode) doc);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  static JsonNode readOne(Path file) {
    List<ObjectNode> docs = readAll(file);
    if (docs.size() != 1) {
      throw new IllegalStateException(file + " must hold one YAML document, has " + docs.size());
    }
    return docs.get(0);
  }
}
