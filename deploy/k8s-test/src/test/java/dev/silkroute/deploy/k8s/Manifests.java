package dev.silkroute.deploy.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** A rendered kustomization as fabric8 objects, with the look-ups the checks need. */
final class Manifests {

  /** A pod template with the workload that owns it. */
  record Workload(HasMetadata owner, LabelSelector selector, PodTemplateSpec template, Integer replicas) {
    String name() {
      return owner.getMetadata().getName();
    }

    Stream<Container> allContainers() {
      return Stream.concat(template.getSpec().getContainers().stream(),
          template.getSpec().getInitContainers() == null ? Stream.empty() : template.getSpec().getInitContainers().stream());
    }
  }

  final Path dir;
  final List<HasMetadata> objects = new ArrayList<>();

  private Manifests(Path dir) {
    this.dir = dir;
  }

  static Manifests render(Path dir) {
    Manifests manifests = new Manifests(dir);
    for (ObjectNode node : Kustomize.render(dir)) {
      String where = dir + ": " + node.path("kind").asText() + "/" + node.path("metadata").path("name").asText();
      KubernetesResource parsed;
      try {
        parsed = Kustomize.YAML.treeToValue(node, KubernetesResource.class);
      } catch (Exception e) {
        throw new IllegalStateException(where + " does not parse: " + e.getMessage(), e);
      }
      if (!(parsed instanceof GenericKubernetesResource)) {
        // fabric8 keeps fields it does not know in additionalProperties: a typo such as
        // "readinesProbe" would be dropped by the API server without a word. Fail on it here.
        List<String> unknown = new ArrayList<>();
        unknownFields(parsed, "", unknown);
        if (!unknown.isEmpty()) {
          throw new IllegalStateException(where + " has fields Kubernetes does not know: " + unknown);
        }
      }
      manifests.objects.add((HasMetadata) parsed);
    }
    return manifests;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
  }

  Optional<HasMetadata> find(String kind, String name) {
    return objects.stream().filter(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name)).findFirst();
  }

  List<GenericKubernetesResource> generic(String kind) {
    return all(GenericKubernetesResource.class).stream().filter(o -> o.getKind().equals(kind)).toList();
  }

  List<Workload> workloads() {
    List<Workload> out = new ArrayList<>();
    all(Deployment.class).forEach(d -> out.add(new Workload(d, d.getSpec().getSelector(), d.getSpec().getTemplate(),
        d.getSpec().getReplicas())));
    all(StatefulSet.class).forEach(s -> out.add(new Workload(s, s.getSpec().getSelector(), s.getSpec().getTemplate(),
        s.getSpec().getReplicas())));
    all(DaemonSet.class).forEach(d -> out.add(new Workload(d, d.getSpec().getSelector(), d.getSpec().getTemplate(), null)));
    return out;
  }

  Workload workload(String name) {
    return workloads().stream().filter(w -> w.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(dir + " has no workload " + name));
  }

  /** Pods whose labels a selector (labels only, as Services use) matches. */
  List<Workload> selectedBy(Map<String, String> selector) {
    return workloads().stream().filter(w -> matches(selector, w.template().getMetadata().getLabels())).toList();
  }

  static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector != null && !selector.isEmpty() && labels != null
        && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  /** A label selector with matchLabels and "In" expressions (the forms deploy/k8s uses), as a map. */
  static boolean selects(Map<?, ?> selector, Map<String, String> labels) {
    @SuppressWarnings("unchecked")
    Map<String, String> matchLabels = (Map<String, String>) selector.get("matchLabels");
    if (matchLabels != null && !matches(matchLabels, labels)) {
      return false;
    }
    List<?> expressions = Optional.ofNullable((List<?>) selector.get("matchExpressions")).orElse(List.of());
    for (Object expression : expressions) {
      Map<?, ?> x = (Map<?, ?>) expression;
      if (!"In".equals(x.get("operator"))) {
        throw new IllegalStateException("selector operator " + x.get("operator") + " is not evaluated by this test");
      }
      if (!((List<?>) x.get("values")).contains(labels.get((String) x.get("key")))) {
        return false;
      }
    }
    return matchLabels != null || !expressions.isEmpty();
  }

  /** A field of a custom resource (fabric8 keeps their whole content as untyped maps). */
  static Object field(GenericKubernetesResource resource, String... keys) {
    Object node = resource.getAdditionalProperties();
    for (String key : keys) {
      if (!(node instanceof Map<?, ?> map)) {
        throw new AssertionError(resource.getKind() + "/" + resource.getMetadata().getName() + " has no " + key);
      }
      node = map.get(key);
    }
    return node;
  }

  static <T> T single(List<T> items) {
    if (items.size() != 1) {
      throw new AssertionError("expected one, found " + items.size() + ": " + items);
    }
    return items.get(0);
  }

  /** Walks fabric8 model objects and collects every path whose additionalProperties is not empty. */
  private static void unknownFields(Object object, String path, List<String> out) {
    if (object == null) {
      return;
    }
    if (object instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        unknownFields(item, path + "[" + i++ + "]", out);
      }
      return;
    }
    if (object instanceof Map<?, ?> map) {
      map.forEach((k, v) -> unknownFields(v, path + "." + k, out));
      return;
    }
    if (!object.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method getter : object.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(object);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          out.add((path.isEmpty() ? "" : path + ".") + extra.keySet());
        }
      } else {
        String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
        unknownFields(value, path.isEmpty() ? field : path + "." + field, out);
      }
    }
  }
}
