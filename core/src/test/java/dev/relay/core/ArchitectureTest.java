package dev.relay.core;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/** The core stays transport-free: no network, no files, no database, no Netty, no JSON library. */
class ArchitectureTest {
    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("dev.relay.core");
    }

    @Test
    void theImportHoldsTheMainClassesOnly() {
        assertThat(core.contain(Hub.class)).isTrue();
        assertThat(core.contain("dev.relay.core.delivery.DeliveryLane")).isTrue();
        assertThat(core.stream().map(c -> c.getName()))
                .noneMatch(name -> name.startsWith("dev.relay.core.testing."))
                .noneMatch(name -> name.endsWith("Test"));
    }

    @Test
    void coreDependsOnNoTransportStorageOrJsonLibrary() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.netty..", "com.fasterxml..", "java.sql..", "javax.sql..", "java.net..",
                        "java.nio.file..")
                .because("the core is transport-free; the server module owns I/O")
                .check(core);
    }

    @Test
    void coreDoesNotTouchFiles() {
        noClasses().should().dependOnClassesThat().areAssignableTo(File.class)
                .because("the core reads no files; configuration comes in as HubSettings")
                .check(core);
    }
}
