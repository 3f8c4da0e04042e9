package dev.silkroute.deploy.k8s;

import static dev.silkroute.deploy.k8s.Containers.containerPort;
import static dev.silkroute.deploy.k8s.Containers.containersOf;
import static dev.silkroute.deploy.k8s.Containers.envOf;
import static dev.silkroute.deploy.k8s.Containers.where;
import static dev.silkroute.deploy.k8s.Manifests.field;
import static dev.silkroute.deploy.k8s.Manifests.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.deploy.k8s.Manifests.Workload;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s as Kubernetes sees it, without a cluster: both kustomizations (the base and the
 * example) rendered and parsed with fabric8's model, then checked for what an API server or a
 * controller would only reveal later: Services and budgets that select nothing, ports that do not
 * exist, a scale target that is not there, a ConfigMap or Secret key that is missing or unused, an
 * example whose infrastructure answers elsewhere than its configuration says.
 */
class ManifestsTest {

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
  void baseHoldsTheRouterBillingAndGpuWorkers() {
    assertThat(base.objects).isNotEmpty();
    assertThat(base.find(Deployment.class, "silkroute-router")).isPresent();
    assertThat(base.find(Deployment.class, "silkroute-billing")).isPresent();
    assertThat(base.find("StatefulSet", "silkroute-worker")).isPresent();
    for (String module : Containers.IMAGES.values()) {
      assertThat(containersOf(base, module)).as("containers running " + module).isNotEmpty();
    }
  }

  @Test
  void servicesSelectPodsAndTargetTheirPorts() {
    for (Manifests m : both()) {
      for (Workload w : m.workloads()) {
        assertThat(Manifests.matches(w.selector().getMatchLabels(), w.template().getMetadata().getLabels()))
            .as(m.dir + " " + w.name() + ": selector matches its own pod labels").isTrue();
        assertThat(w.selector().getMatchExpressions()).as("selectors use labels only").isNullOrEmpty();
      }
      for (Service s : m.all(Service.class)) {
        List<Workload> pods = m.selectedBy(s.getSpec().getSelector());
        assertThat(pods).as(m.dir + " Service " + s.getMetadata().getName() + " selects pods").isNotEmpty();
        for (ServicePort port : s.getSpec().getPorts()) {
          IntOrString target = port.getTargetPort() != null ? port.getTargetPort() : new IntOrString(port.getPort());
          for (Workload w : pods) {
            boolean served = w.template().getSpec().getContainers().stream()
                .anyMatch(c -> containerPort(c, target).isPresent());
            assertThat(served).as(m.dir + " Service " + s.getMetadata().getName() + " port " + port.getName()
                + " -> " + target + " is a container port of " + w.name()).isTrue();
          }
        }
      }
    }
  }

  @Test
  void theAutoscalerAndDisruptionBudgetsTargetTheirWorkloads() {
    for (Manifests m : both()) {
      for (HorizontalPodAutoscaler hpa : m.all(HorizontalPodAutoscaler.class)) {
        var ref = hpa.getSpec().getScaleTargetRef();
        assertThat(m.find(ref.getKind(), ref.getName())).as(m.dir + " HPA " + hpa.getMetadata().getName()
            + " targets " + ref.getKind() + "/" + ref.getName()).isPresent();
        assertThat(hpa.getSpec().getMinReplicas()).as("an HPA never scales the router to one replica")
            .isGreaterThanOrEqualTo(2);
        hpa.getSpec().getMetrics().forEach(metric -> {
          // Pods/Object/External metrics would name a Prometheus series: check it before allowing one.
          assertThat(metric.getType()).as("HPA metric type").isEqualTo("Resource");
          assertThat(metric.getResource().getName()).isIn("cpu", "memory");
        });
        Workload target = m.workload(ref.getName());
        assertThat(target.template().getSpec().getContainers())
            .allSatisfy(c -> assertThat(c.getResources().getRequests()).as("HPA utilisation needs requests")
                .containsKey(hpa.getSpec().getMetrics().get(0).getResource().getName()));
      }
      for (PodDisruptionBudget pdb : m.all(PodDisruptionBudget.class)) {
        assertThat(pdb.getSpec().getSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(m.selectedBy(pdb.getSpec().getSelector().getMatchLabels()))
            .as(m.dir + " PDB " + pdb.getMetadata().getName() + " covers exactly one workload").hasSize(1);
      }
    }
    Deployment router = base.find(Deployment.class, "silkroute-router").orElseThrow();
    assertThat(base.all(HorizontalPodAutoscaler.class)).as("an HPA scales the router")
        .anyMatch(h -> h.getSpec().getScaleTargetRef().getKind().equals("Deployment")
            && h.getSpec().getScaleTargetRef().getName().equals(router.getMetadata().getName()));
    assertThat(base.all(PodDisruptionBudget.class)).as("a PDB protects the router")
        .anyMatch(p -> Manifests.matches(p.getSpec().getSelector().getMatchLabels(),
            router.getSpec().getTemplate().getMetadata().getLabels()));
  }

  @Test
  void everyContainerRequestsCpuAndMemoryAndIsHeldToItsMemoryRequest() {
    for (Manifests m : both()) {
      for (Workload w : m.workloads()) {
        for (Container c : w.allContainers().toList()) {
          assertThat(c.getResources()).as(where(m, w, c) + ": resources").isNotNull();
          Map<String, Quantity> requests = Optional.ofNullable(c.getResources().getRequests()).orElse(Map.of());
          Map<String, Quantity> limits = Optional.ofNullable(c.getResources().getLimits()).orElse(Map.of());
          assertThat(requests).as(where(m, w, c) + ": requests").containsKeys("cpu", "memory");
          // The JVM sizes its heap from the limit; a limit above the request could be OOM-killed
          // under node pressure while the JVM still thinks it has room.
          assertThat(limits.get("memory")).as(where(m, w, c) + ": memory limit = request").isEqualTo(requests.get("memory"));
        }
      }
    }
  }

  @Test
  void everyRequiredConfigMapAndSecretKeyExistsInTheExample() {
    for (Workload w : example.workloads()) {
      for (Container c : w.allContainers().toList()) {
        for (EnvVar env : envOf(c)) {
          if (env.getValueFrom() == null) {
            continue;
          }
          var cm = env.getValueFrom().getConfigMapKeyRef();
          if (cm != null) {
            Optional<ConfigMap> map = example.find(ConfigMap.class, cm.getName());
            if (!Boolean.TRUE.equals(cm.getOptional()) || map.isPresent()) {
              assertThat(map).as(where(example, w, c) + ": ConfigMap " + cm.getName()).isPresent();
              assertThat(map.get().getData()).as(where(example, w, c) + ": " + env.getName()).containsKey(cm.getKey());
            }
          }
          var secret = env.getValueFrom().getSecretKeyRef();
          if (secret != null && !Boolean.TRUE.equals(secret.getOptional())) {
            Optional<Secret> s = example.find(Secret.class, secret.getName());
            assertThat(s).as(where(example, w, c) + ": Secret " + secret.getName()).isPresent();
            assertThat(s.get().getData()).as(where(example, w, c) + ": " + env.getName()).containsKey(secret.getKey());
          }
        }
      }
    }
  }

  @Test
  void everyConfigMapAndSecretKeyOfTheExampleIsRead() {
    Set<String> read = new LinkedHashSet<>();
    for (Workload w : example.workloads()) {
      for (Container c : w.allContainers().toList()) {
        for (EnvVar env : envOf(c)) {
          if (env.getValueFrom() != null && env.getValueFrom().getConfigMapKeyRef() != null) {
            read.add("ConfigMap/" + env.getValueFrom().getConfigMapKeyRef().getName() + "/" + env.getValueFrom().getConfigMapKeyRef().getKey());
          }
          if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
            read.add("Secret/" + env.getValueFrom().getSecretKeyRef().getName() + "/" + env.getValueFrom().getSecretKeyRef().getKey());
          }
        }
      }
    }
    for (ConfigMap map : example.all(ConfigMap.class)) {
      map.getData().keySet().forEach(key -> assertThat(read).as("a container reads ConfigMap "
          + map.getMetadata().getName() + " key " + key).contains("ConfigMap/" + map.getMetadata().getName() + "/" + key));
    }
    for (Secret secret : example.all(Secret.class)) {
      secret.getData().keySet().forEach(key -> assertThat(read).as("a container reads Secret "
          + secret.getMetadata().getName() + " key " + key).contains("Secret/" + secret.getMetadata().getName() + "/" + key));
    }
  }

  @Test
  void theExampleInfrastructureAnswersAtTheAddressesTheConfigNames() {
    Map<String, String> config = example.find(ConfigMap.class, "silkroute-config").orElseThrow().getData();
    // Strimzi: the bootstrap Service is <cluster>-kafka-bootstrap, on the plain listener's port.
    GenericKubernetesResource kafka = single(example.generic("Kafka"));
    Map<?, ?> plain = ((List<?>) field(kafka, "spec", "kafka", "listeners")).stream().map(Map.class::cast)
        .filter(l -> Boolean.FALSE.equals(l.get("tls"))).findFirst()
        .orElseThrow(() -> new AssertionError("the example's Kafka has no plain listener"));
    assertThat(config.get("kafka-bootstrap-servers"))
        .isEqualTo(kafka.getMetadata().getName() + "-kafka-bootstrap:" + plain.get("port"));
    // CloudNativePG: the primary is <cluster>-rw:5432, the database and its owner's Secret from initdb.
    GenericKubernetesResource pg = single(example.generic("Cluster"));
    assertThat(config.get("postgres-jdbc-url")).isEqualTo("jdbc:postgresql://" + pg.getMetadata().getName()
        + "-rw:5432/" + field(pg, "spec", "bootstrap", "initdb", "database"));
    String ownerSecret = (String) field(pg, "spec", "bootstrap", "initdb", "secret", "name");
    Container billing = containersOf(example, "billing-service").get(0);
    envOf(billing).stream().filter(e -> e.getName().startsWith("DATASOURCES_DEFAULT_USERNAME")
            || e.getName().startsWith("DATASOURCES_DEFAULT_PASSWORD"))
        .forEach(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).as(e.getName()).isEqualTo(ownerSecret));
    assertThat(example.find(Secret.class, ownerSecret).orElseThrow().getType()).isEqualTo("kubernetes.io/basic-auth");
    // provider-sim: its Service's name and port.
    Service sim = example.find(Service.class, "silkroute-provider-sim").orElseThrow();
    assertThat(config.get("provider-sim-url"))
        .isEqualTo("http://" + sim.getMetadata().getName() + ":" + sim.getSpec().getPorts().get(0).getPort());
  }

  @Test
  void theReadmeDeploySectionAppliesKustomizationsThatExist() {
    String readme = Repo.read("README.md");
    assertThat(readme.contains("\n## Deploy\n")).as("README has a Deploy section").isTrue();
    Matcher apply = Pattern.compile("kubectl apply -k ([^\\s`]+)").matcher(readme);
    List<String> paths = new ArrayList<>();
    while (apply.find()) {
      paths.add(apply.group(1));
    }
    assertThat(paths).isNotEmpty();
    paths.forEach(p -> assertThat(Repo.ROOT.resolve(p).resolve("kustomization.yaml")).as("README: kubectl apply -k " + p)
        .exists());
  }
}
