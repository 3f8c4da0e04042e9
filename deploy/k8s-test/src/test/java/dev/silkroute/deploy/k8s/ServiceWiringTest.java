package dev.silkroute.deploy.k8s;

import static dev.silkroute.deploy.k8s.Containers.HTTP_PORT;
import static dev.silkroute.deploy.k8s.Containers.GRPC_PORT;
import static dev.silkroute.deploy.k8s.Containers.PROVIDER_SIM_IMAGE;
import static dev.silkroute.deploy.k8s.Containers.SERVICES;
import static dev.silkroute.deploy.k8s.Containers.bareImage;
import static dev.silkroute.deploy.k8s.Containers.isService;
import static dev.silkroute.deploy.k8s.Containers.literalEnv;
import static dev.silkroute.deploy.k8s.Containers.referencedVariables;
import static dev.silkroute.deploy.k8s.Containers.serviceOf;
import static dev.silkroute.deploy.k8s.Containers.containerPort;
import static dev.silkroute.deploy.k8s.Containers.containersOf;
import static dev.silkroute.deploy.k8s.Containers.envOf;
import static dev.silkroute.deploy.k8s.Containers.where;
import static dev.silkroute.deploy.k8s.Manifests.field;
import static dev.silkroute.deploy.k8s.Manifests.single;
import static dev.silkroute.deploy.k8s.Manifests.selects;
import static dev.silkroute.deploy.k8s.Repo.catalog;
import static dev.silkroute.deploy.k8s.Repo.catalogEnvironment;
import static dev.silkroute.deploy.k8s.Repo.dockerfile;
import static dev.silkroute.deploy.k8s.Repo.providerSimPort;
import static dev.silkroute.deploy.k8s.Repo.sources;
import static dev.silkroute.deploy.k8s.ServiceConfig.duration;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.deploy.k8s.Manifests.Workload;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s against the services themselves: every port, probe path, scrape target and
 * environment variable, the catalog's mount and provider keys, GPU requests and the drain, billing's
 * replicas and topic, looked up in what the services really read and serve (their application.yml,
 * settings records and sources, deploy/catalog.yaml, the Dockerfile), never in a copied list.
 */
class ServiceWiringTest {

  private static Manifests base;
  private static Manifests example;

  @BeforeAll
  static void render() {
    base = Manifests.render(Repo.ROOT.resolve("deploy/k8s/base"));
    example = Manifests.render(Repo.ROOT.resolve("deploy/k8s/example"));
  }

  private static List<Manifests> both() {
    return List.of(base, example);
  }

  @Test
  void everyEnvironmentVariableIsASettingTheServiceReads() {
    Set<String> catalogEnv = catalogEnvironment();
    for (Manifests m : both()) {
      for (Workload w : m.workloads()) {
        for (Container c : w.template().getSpec().getContainers()) {
          Optional<ServiceConfig> service = serviceOf(c);
          if (service.isEmpty()) {
            assertThat(c.getEnv()).as(where(m, w, c) + ": environment of a container whose settings this test cannot check")
                .isNullOrEmpty();
            continue;
          }
          Set<String> referenced = referencedVariables(c);
          for (EnvVar env : envOf(c)) {
            String name = env.getName();
            boolean read = service.get().propertyOf(name).isPresent()
                // The JVM reads it; the Dockerfile's runtime stage sets the default.
                || name.equals("JAVA_TOOL_OPTIONS") && dockerfile().contains("JAVA_TOOL_OPTIONS")
                // deploy/catalog.yaml: ${VAR} in base URLs and api_key_env, read by the router's catalog.
                || service.get().module.equals("router-service") && catalogEnv.contains(name)
                // Only there to be expanded into another variable, e.g. $(POD_IP).
                || referenced.contains(name);
            assertThat(read).as(where(m, w, c) + ": " + name + " is no setting " + service.get().module + " reads")
                .isTrue();
          }
        }
      }
    }
  }

  @Test
  void containerPortsAreThePortsTheServicesListenOn() {
    for (Manifests m : both()) {
      for (Workload w : m.workloads()) {
        for (Container c : w.template().getSpec().getContainers()) {
          Set<Integer> declared = new LinkedHashSet<>();
          c.getPorts().forEach(p -> declared.add(p.getContainerPort()));
          Optional<ServiceConfig> service = serviceOf(c);
          if (service.isPresent()) {
            Map<String, String> env = literalEnv(c);
            Set<Integer> listening = new LinkedHashSet<>();
            listening.add(Integer.parseInt(service.get().effective(HTTP_PORT, env)));
            Optional.ofNullable(GRPC_PORT.get(service.get().module))
                .ifPresent(p -> listening.add(Integer.parseInt(service.get().effective(p, env))));
            assertThat(declared).as(where(m, w, c) + ": container ports").isEqualTo(listening);
          } else if (bareImage(c).equals(PROVIDER_SIM_IMAGE)) {
            assertThat(declared).as(where(m, w, c) + ": provider-sim's port, as its image starts it")
                .containsExactly(providerSimPort());
          }
        }
      }
    }
  }

  @Test
  void probesUseTheServicesHealthEndpoints() {
    int probes = 0;
    for (Manifests m : both()) {
      for (Workload w : m.workloads()) {
        for (Container c : w.allContainers().toList()) {
          for (Probe probe : Stream.of(c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe())
              .filter(Objects::nonNull).toList()) {
            assertThat(probe.getHttpGet()).as(where(m, w, c) + ": probes are HTTP GETs on a health endpoint").isNotNull();
            int port = containerPort(c, probe.getHttpGet().getPort())
                .orElseThrow(() -> new AssertionError(where(m, w, c) + ": probe port " + probe.getHttpGet().getPort()
                    + " is none of the container's ports"));
            String path = probe.getHttpGet().getPath();
            Optional<ServiceConfig> service = serviceOf(c);
            if (service.isPresent()) {
              assertThat(service.get().healthPaths()).as(where(m, w, c) + ": health paths").contains(path);
              assertThat(port).as(where(m, w, c) + ": probe port is the HTTP port")
                  .isEqualTo(Integer.parseInt(service.get().effective(HTTP_PORT, literalEnv(c))));
            } else if (bareImage(c).equals(PROVIDER_SIM_IMAGE)) {
              assertThat(sources("provider-sim")).as("provider-sim serves " + path).contains("\"" + path + "\"");
            }
            probes++;
          }
        }
        for (Container c : w.template().getSpec().getContainers()) {
          if (serviceOf(c).isPresent()) {
            assertThat(c.getReadinessProbe()).as(where(m, w, c) + ": readiness probe").isNotNull();
            assertThat(c.getLivenessProbe()).as(where(m, w, c) + ": liveness probe").isNotNull();
          }
        }
      }
    }
    assertThat(probes).isPositive();
  }

  @Test
  void everyServicePodIsScrapedAtItsMetricsEndpoint() {
    for (Manifests m : both()) {
      for (Workload w : m.workloads()) {
        List<Container> services = w.template().getSpec().getContainers().stream()
            .filter(c -> serviceOf(c).isPresent()).toList();
        if (services.isEmpty()) {
          continue;
        }
        Map<String, String> annotations = Optional.ofNullable(w.template().getMetadata().getAnnotations()).orElse(Map.of());
        assertThat(annotations).as(m.dir + " " + w.name() + ": Prometheus scrape annotations")
            .containsEntry("prometheus.io/scrape", "true")
            .containsKeys("prometheus.io/port", "prometheus.io/path");
        Container c = services.get(0);
        ServiceConfig service = serviceOf(c).orElseThrow();
        assertThat(service.metricsPath()).as(service.module + " serves Prometheus metrics")
            .contains(annotations.get("prometheus.io/path"));
        assertThat(Integer.parseInt(annotations.get("prometheus.io/port"))).as(where(m, w, c) + ": scrape port")
            .isEqualTo(Integer.parseInt(service.effective(HTTP_PORT, literalEnv(c))));
      }
    }
  }

  @Test
  void thePodMonitorScrapesEveryServicePodAtItsMetricsEndpoint() {
    Manifests monitoring = Manifests.render(Repo.ROOT.resolve("deploy/k8s/monitoring"));
    GenericKubernetesResource podMonitor = single(monitoring.generic("PodMonitor"));
    Map<?, ?> selector = (Map<?, ?>) field(podMonitor, "spec", "selector");
    List<Workload> scraped = example.workloads().stream()
        .filter(w -> selects(selector, w.template().getMetadata().getLabels())).toList();
    List<Workload> services = example.workloads().stream()
        .filter(w -> w.template().getSpec().getContainers().stream().anyMatch(c -> serviceOf(c).isPresent())).toList();
    assertThat(scraped).as("pods the PodMonitor selects").containsExactlyInAnyOrderElementsOf(services);
    for (Object endpoint : (List<?>) field(podMonitor, "spec", "podMetricsEndpoints")) {
      Map<?, ?> e = (Map<?, ?>) endpoint;
      for (Workload w : scraped) {
        Container c = w.template().getSpec().getContainers().stream().filter(x -> serviceOf(x).isPresent())
            .findFirst().orElseThrow();
        int port = containerPort(c, new IntOrString((String) e.get("port"))).orElseThrow(() -> new AssertionError(
            w.name() + " has no container port named " + e.get("port")));
        ServiceConfig service = serviceOf(c).orElseThrow();
        assertThat(port).as(w.name() + ": scraped port").isEqualTo(Integer.parseInt(service.effective(HTTP_PORT, literalEnv(c))));
        assertThat(service.metricsPath()).as(w.name() + ": scraped path").contains((String) e.get("path"));
      }
    }
  }

  @Test
  void theCatalogIsAConfigMapMountedSoTheRouterReloadsIt() {
    ServiceConfig router = SERVICES.get("router-service");
    assertThat(router.properties).as("the router polls its catalog file").contains("silkroute.routing.catalog-poll");
    Container c = containersOf(base, "router-service").get(0);
    Workload w = base.workload("silkroute-router");
    Path catalogPath = Path.of(router.effective("silkroute.router.catalog", literalEnv(c)));
    VolumeMount mount = c.getVolumeMounts().stream().filter(v -> catalogPath.startsWith(v.getMountPath()))
        .findFirst().orElseThrow(() -> new AssertionError("no volume is mounted at " + catalogPath));
    // A subPath mount is a copy made once: the kubelet's updates of the ConfigMap never reach it.
    assertThat(mount.getSubPath()).as("catalog mounted as a directory").isNullOrEmpty();
    Volume volume = w.template().getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
        .findFirst().orElseThrow();
    assertThat(volume.getConfigMap()).as("catalog volume is a ConfigMap").isNotNull();
    String configMap = volume.getConfigMap().getName();
    String key = Path.of(mount.getMountPath()).relativize(catalogPath).toString();
    // The README's command creates (and updates) that ConfigMap from deploy/catalog.yaml.
    String command = "kubectl create configmap " + configMap + " --from-file=" + key + "=deploy/catalog.yaml";
    assertThat(Repo.read("README.md").contains(command)).as("README says: " + command).isTrue();
  }

  @Test
  void everyProviderKeyOfTheCatalogReachesTheRouterFromASecret() {
    Set<String> keys = new LinkedHashSet<>();
    for (JsonNode provider : catalog().path("providers")) {
      if (provider.hasNonNull("api_key_env")) {
        keys.add(provider.get("api_key_env").asText());
      }
    }
    assertThat(keys).isNotEmpty();
    Container router = containersOf(base, "router-service").get(0);
    Map<String, EnvVar> env = new LinkedHashMap<>();
    envOf(router).forEach(e -> env.put(e.getName(), e));
    for (String key : keys) {
      assertThat(env).as("router environment").containsKey(key);
      assertThat(env.get(key).getValueFrom()).as(key + " comes from a Secret").isNotNull();
      assertThat(env.get(key).getValueFrom().getSecretKeyRef()).as(key + " comes from a Secret").isNotNull();
    }
  }

  @Test
  void routersFinishTheirAnswersBeforeTheKubeletKillsThem() {
    Workload w = base.workload("silkroute-router");
    Container router = containersOf(base, "router-service").get(0);
    ServiceConfig config = SERVICES.get("router-service");
    Map<String, String> env = literalEnv(router);
    assertThat(config.effective("micronaut.lifecycle.graceful-shutdown.enabled", env))
        .as("answers in flight finish on SIGTERM").isEqualTo("true");
    Duration graceful = duration(config.effective("micronaut.lifecycle.graceful-shutdown.grace-period", env));
    List<String> preStop = Optional.ofNullable(router.getLifecycle()).map(l -> l.getPreStop())
        .map(h -> h.getExec().getCommand()).orElse(List.of());
    Duration pause = preStop.size() == 2 && preStop.get(0).equals("sleep")
        ? Duration.ofSeconds(Long.parseLong(preStop.get(1))) : Duration.ZERO;
    assertThat(Duration.ofSeconds(w.template().getSpec().getTerminationGracePeriodSeconds()))
        .as("terminationGracePeriodSeconds covers the preStop pause and the graceful shutdown")
        .isGreaterThan(pause.plus(graceful));
  }

  @Test
  void gpuWorkersRequestAGpuAndOutlastTheirDrain() {
    List<Workload> workers = base.workloads().stream()
        .filter(w -> w.template().getSpec().getContainers().stream().anyMatch(c -> isService(c, "worker-service")))
        .toList();
    assertThat(workers).isNotEmpty();
    for (Workload w : workers) {
      Container worker = w.template().getSpec().getContainers().stream()
          .filter(c -> isService(c, "worker-service")).findFirst().orElseThrow();
      Quantity gpu = new Quantity("1");
      assertThat(w.allContainers()).as(w.name() + ": a container requests a GPU, limit = request")
          .anyMatch(c -> c.getResources() != null && c.getResources().getRequests() != null
              && gpu.equals(c.getResources().getRequests().get("nvidia.com/gpu"))
              && gpu.equals(c.getResources().getLimits().get("nvidia.com/gpu")));
      ServiceConfig config = SERVICES.get("worker-service");
      Duration drain = duration(config.effective("silkroute.worker.drain-timeout", literalEnv(worker)));
      Long grace = w.template().getSpec().getTerminationGracePeriodSeconds();
      assertThat(grace).as(w.name() + ": terminationGracePeriodSeconds").isNotNull();
      assertThat(Duration.ofSeconds(grace)).as(w.name() + ": the kubelet waits longer than the drain")
          .isGreaterThan(drain.plusSeconds(10));
      // An openai-compatible engine in the pod: its URL's port is one the pod serves.
      if ("openai-compatible".equals(config.effective("silkroute.worker.engine", literalEnv(worker)))) {
        String url = literalEnv(worker).get(ServiceConfig.envName("silkroute.worker.openai-compatible.url"));
        assertThat(url).as(w.name() + ": engine URL").isNotNull();
        int port = java.net.URI.create(url).getPort();
        assertThat(w.allContainers().flatMap(c -> c.getPorts().stream()).map(ContainerPort::getContainerPort))
            .as(w.name() + ": the engine's port " + port + " is served in the pod").contains(port);
      }
    }
  }

  @Test
  void workersServeCatalogPoolsUnderTheNamesTheirEngineAnswersTo() {
    Map<String, String> upstreamOfPool = new LinkedHashMap<>();
    catalog().path("worker_pools").forEach(p -> upstreamOfPool.put(p.path("model").asText(),
        p.path("upstream_model").asText(p.path("model").asText())));
    for (Workload w : base.workloads()) {
      for (Container worker : w.template().getSpec().getContainers().stream()
          .filter(c -> isService(c, "worker-service")).toList()) {
        List<String> models = List.of(SERVICES.get("worker-service")
            .effective("silkroute.worker.models", literalEnv(worker)).split(","));
        assertThat(upstreamOfPool.keySet()).as(w.name() + ": every model it serves is a catalog worker pool")
            .containsAll(models);
        Set<String> served = new LinkedHashSet<>();
        w.allContainers().flatMap(c -> Stream.concat(Stream.ofNullable(c.getArgs()).flatMap(List::stream),
                Stream.ofNullable(c.getCommand()).flatMap(List::stream)))
            .filter(a -> a.startsWith("--served-model-name=")).forEach(a -> served.addAll(
                List.of(a.substring("--served-model-name=".length()).split(","))));
        if (!served.isEmpty()) {
          // The router asks a worker for the pool's upstream_model, and the worker passes it to its engine.
          models.forEach(model -> assertThat(served).as(w.name() + ": the engine answers to " + model + "'s upstream model")
              .contains(upstreamOfPool.get(model)));
        }
      }
    }
  }

  @Test
  void billingReplicasFitTheConsumerGroupAndTheExampleTopic() {
    Workload billing = base.workload("silkroute-billing");
    ServiceConfig config = SERVICES.get("billing-service");
    Container c = containersOf(base, "billing-service").get(0);
    int partitions = Integer.parseInt(config.effective("silkroute.usage.partitions", literalEnv(c)));
    int replication = Integer.parseInt(config.effective("silkroute.usage.replication-factor", literalEnv(c)));
    assertThat(billing.replicas()).as("billing replicas beyond the partitions would idle").isLessThanOrEqualTo(partitions);
    String topic = config.effective("silkroute.usage.topic", literalEnv(c));
    GenericKubernetesResource kafkaTopic = example.generic("KafkaTopic").stream()
        .filter(t -> topic.equals(((Map<?, ?>) t.getAdditionalProperties().get("spec")).get("topicName")))
        .findFirst().orElseThrow(() -> new AssertionError("the example declares no KafkaTopic " + topic));
    Map<?, ?> spec = (Map<?, ?>) kafkaTopic.getAdditionalProperties().get("spec");
    assertThat(spec.get("partitions")).as("example topic partitions = billing's").isEqualTo(partitions);
    assertThat(spec.get("replicas")).as("example topic replicas = billing's").isEqualTo(replication);
  }
}
