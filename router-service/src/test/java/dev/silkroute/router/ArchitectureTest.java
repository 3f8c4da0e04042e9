package dev.silkroute.router;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The router's packages depend on one another one way only: {@code core} (request model, errors)
 * and {@code config} (settings records) at the bottom, {@code boot} (factories that wire everything)
 * at the top. A cycle, or a leaf that reaches up, fails the build with the classes at fault.
 */
@AnalyzeClasses(packages = "dev.silkroute.router", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule featurePackagesAreFreeOfCycles =
      slices().matching("dev.silkroute.router.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule coreDependsOnNoOtherRouterPackage = leaf("core");

  @ArchTest
  static final ArchRule configDependsOnNoOtherRouterPackage = leaf("config");

  private static ArchRule leaf(String name) {
    String inside = "dev.silkroute.router." + name + "..";
    return noClasses().that().resideInAPackage(inside)
        .should().dependOnClassesThat(resideInAPackage("dev.silkroute.router..").and(not(resideInAPackage(inside))))
        .because(name + " is a leaf that every layer may use");
  }
}
