package dev.siptls.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The java.security files read as JDK 17's Security and ProviderList read them. */
class JavaSecurityFilesTest {

    @TempDir
    Path dir;

    @Test
    void addsTheExtraFileToTheJdksAndTheLaterValueWins() throws Exception {
        Path jdk = file("jdk", "security.overridePropertiesFile=true\nsecurity.provider.1=SUN\nsecurity.provider.2=SunEC\n");
        Path extra = file("extra", "security.provider.2=SipTls /etc/sip-tls.properties\n");

        JavaSecurityFiles files = JavaSecurityFiles.read(jdk, extra.toString());
        ProviderEntries entries = ProviderEntries.of(files.properties());

        assertEquals(JavaSecurityFiles.ExtraFile.READ, files.extra());
        assertEquals(List.of("SUN", "SipTls"), entries.listed().stream().map(l -> l.entry().name()).toList());
        assertEquals("/etc/sip-tls.properties", entries.listed().get(1).entry().argument());
        JavaSecurityFiles.Redefinition r = files.redefinitions().get(0);
        assertEquals("security.provider.2", r.key());
        assertEquals("SunEC", r.firstValue());
        assertEquals(extra.toString(), r.laterSource());
    }

    @Test
    void aLeadingEqualsSignReplacesTheJdksFile() throws Exception {
        Path jdk = file("jdk", "security.overridePropertiesFile=true\nsecurity.provider.1=SUN\n");
        Path extra = file("extra", "security.provider.1=SipTls /etc/sip-tls.properties\n");

        JavaSecurityFiles files = JavaSecurityFiles.read(jdk, "=" + extra);

        assertTrue(files.replaces());
        assertTrue(files.redefinitions().isEmpty(), files.redefinitions().toString());
        assertEquals(1, ProviderEntries.of(files.properties()).size());
    }

    @Test
    void theExtraFileIsIgnoredUnlessTheJdksAllowsOverriding() throws Exception {
        Path jdk = file("jdk", "security.overridePropertiesFile=false\nsecurity.provider.1=SUN\n");
        Path extra = file("extra", "security.provider.2=SipTls /etc/sip-tls.properties\n");

        JavaSecurityFiles files = JavaSecurityFiles.read(jdk, extra.toString());

        assertEquals(JavaSecurityFiles.ExtraFile.IGNORED_BY_JDK_FILE, files.extra());
        assertEquals(1, ProviderEntries.of(files.properties()).size());
    }

    @Test
    void readingStopsAtTheFirstMissingOrBlankNumberAndDropsRepeatedEntries() throws Exception {
        Path jdk = file("jdk", "security.provider.1=SUN\nsecurity.provider.2=SUN\nsecurity.provider.3=SunEC\n"
                + "security.provider.4= \nsecurity.provider.5=SipTls /x\n");

        ProviderEntries entries = ProviderEntries.of(JavaSecurityFiles.read(jdk, null).properties());

        assertEquals(2, entries.size());
        assertEquals(0, entries.listed().get(1).position(), "the same entry twice is listed once");
        assertEquals(4, entries.gap());
        assertTrue(entries.blankAtGap());
        assertEquals(5, entries.ignored().get(0).number());
    }

    @Test
    void namesAnExtraFileThatDoesNotExist() {
        JavaSecurityFiles files = JavaSecurityFiles.read(file("jdk", "security.overridePropertiesFile=true\n"),
                dir.resolve("nowhere").toString());

        assertEquals(JavaSecurityFiles.ExtraFile.UNREADABLE, files.extra());
        assertTrue(files.extraProblem().contains(dir.resolve("nowhere").toString()), files.extraProblem());
    }

    private Path file(String name, String text) {
        try {
            return Files.writeString(dir.resolve(name), text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
