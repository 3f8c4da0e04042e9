package dev.silkroute.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.deploy.k8s.Manifests.Workload;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Which Silkroute service a container runs, and what its environment and ports say. */
final class Containers {

  /** Image name (without registry and tag) -> the module it is built from (deploy/docker/Dockerfile). */
  static final Map<String, String> IMAGES = Map.of(
      "silkroute-router", "router-service",
      "silkroute-billing", "billing-service",
      "silkroute-worker", "worker-service");
  static final String PROVIDER_SIM_IMAGE = "silkroute-provider-sim";
  /** Micronaut's own port and, per service, the settings that open a gRPC port. */
  static final String HTTP_PORT = "micronaut.server.port";
  static final Map<String, String> GRPC_PORT = Map.of(
      "router-service", "silkroute.router.grpc-port",
      "worker-service", "silkroute.worker.grpc-port");
  static final Map<String, ServiceConfig> SERVICES = new LinkedHashMap<>();

  static {
    IMAGES.values().forEach(module -> SERVICES.put(module, ServiceConfig.of(Repo.ROOT, module)));
  }

  private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private Containers() {
  }

  static List<Container> containersOf(Manifests m, String module) {
    return m.workloads().stream().flatMap(w -> w.template().getSpec().getContainers().stream())
        .filter(c -> isService(c, module)).toList();
  }

  static boolean isService(Container c, String module) {
    return serviceOf(c).map(s -> s.module.equals(module)).orElse(false);
  }

  static Optional<ServiceConfig> serviceOf(Container c) {
    return Optional.ofNullable(IMAGES.get(bareImage(c))).map(SERVICES::get);
  }

  static String bareImage(Container c) {
    String image = c.getImage();
    image = image.substring(image.lastIndexOf('/') + 1);
    return image.contains(":") ? image.substring(0, image.indexOf(':')) : image;
  }

  static List<EnvVar> envOf(Container c) {
    assertThat(c.getEnvFrom()).as(c.getName() + ": envFrom hides which variables are set; list them").isNullOrEmpty();
    return c.getEnv() == null ? List.of() : c.getEnv();
  }

  /** The variables set to a literal value (not from a ConfigMap, Secret or field). */
  static Map<String, String> literalEnv(Container c) {
    Map<String, String> env = new LinkedHashMap<>();
    envOf(c).stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
    return env;
  }

  /** Variables other variables expand with $(NAME). */
  static Set<String> referencedVariables(Container c) {
    Set<String> names = new LinkedHashSet<>();
    for (EnvVar e : envOf(c)) {
      if (e.getValue() != null) {
        Matcher m = VAR_REF.matcher(e.getValue());
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  /** The container port a probe, Service or monitor names (by number or by port name). */
  static Optional<Integer> containerPort(Container c, IntOrString port) {
    if (port == null) {
      return Optional.empty();
    }
    return c.getPorts().stream()
        .filter(p -> port.getIntVal() != null ? port.getIntVal().equals(p.getContainerPort())
            : port.getStrVal().equals(p.getName()))
        .map(ContainerPort::getContainerPort).findFirst();
  }

  static String where(Manifests m, Workload w, Container c) {
    return Repo.ROOT.relativize(m.dir) + " " + w.owner().getKind() + "/" + w.name() + " container " + c.getName();
  }
}
