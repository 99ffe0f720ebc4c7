package dev.relay.core.testing;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The architecture rules every module's {@code ArchitectureTest} applies to its own main classes, written once so
 * that each failure explains the same remedy in every module.
 */
public final class ModuleRules {
    private ModuleRules() {
    }

    /** The main classes of one module's root package and below: its tests are not judged. */
    public static JavaClasses mainClasses(String rootPackage) {
        return new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages(rootPackage);
    }

    /** {@code dev.relay.(**)}: the module's root package is a slice too, so a cycle through it is caught. */
    public static ArchRule packagesAreFreeOfCycles() {
        return slices().matching("dev.relay.(**)").should().beFreeOfCycles()
                .because("a package cycle ties its packages into one: break it by moving the type both sides need"
                        + " to the package that uses it (an interface owned by its caller, implemented elsewhere)"
                        + " or into a small leaf package, not by merging the packages");
    }
}
