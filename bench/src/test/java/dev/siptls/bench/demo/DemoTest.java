package dev.siptls.bench.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.bench.demo.Ledger.Layer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * Runs a quick demo once (n = 3, m = 2, sweep n = 2..3) and checks what it printed and wrote against what
 * its counters counted, and the counters against each other.
 */
class DemoTest {

    /** JDK threads that outlive any run: AWT starts this one the first time an image is drawn. */
    private static final Set<String> JDK_DAEMONS = Set.of("Java2D Disposer");

    @TempDir
    static Path dir;

    private static DemoResult result;
    private static String printed;
    private static Set<Thread> threadsBefore;
    private static Set<Thread> threadsAfter;

    @BeforeAll
    static void runQuickDemo() throws Exception {
        threadsBefore = Thread.getAllStackTraces().keySet();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            result = Demo.execute(DemoOptions.builder().quick().reportDirectory(dir.resolve("report")).build(), out);
        }
        printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(printed); // into the surefire report, for whoever reads a failure
        threadsAfter = threadsLeft(threadsBefore);
    }

    @Test
    void printsTableOneWithTheCountedFigures() {
        assertTableOne(printed);
    }

    @Test
    void writesTableOneWithTheCountedFiguresToTheReport() throws Exception {
        assertTableOne(Files.readString(result.report()));
    }

    @Test
    void printsWhereTheReportIs() {
        assertTrue(printed.contains(result.report().toAbsolutePath().normalize().toString()), printed);
    }

    @Test
    void traditionalTlsSignsAndVerifiesBothPeersOnEveryConnection() {
        for (Map<Way, WayResult> c : List.of(result.case1(), result.case2())) {
            WayResult traditional = c.get(Way.TRADITIONAL);
            long connections = traditional.connections(traditional.rounds());
            assertEquals(2 * connections, traditional.allRounds().signatures(Layer.TLS));
            assertEquals(2 * connections, traditional.allRounds().chainVerifications(Layer.TLS));
            assertEquals(connections, traditional.sessions(traditional.rounds()), "no session was reused");
            assertEquals(0, traditional.allRounds().signatures(Layer.SIP));
        }
    }

    @Test
    void resumptionAuthenticatesOnlyTheFirstConnectionOfEachSession() {
        for (Map<Way, WayResult> c : List.of(result.case1(), result.case2())) {
            WayResult resumption = c.get(Way.RESUMPTION);
            assertEquals(2 * resumption.sessions(1), resumption.allRounds().authentications());
            assertEquals(resumption.sessions(1), resumption.sessions(resumption.rounds()));
            assertEquals(resumption.select(false).size(), resumption.abbreviated(false));
            assertEquals(0, resumption.abbreviated(true));
        }
    }

    @Test
    void sipTlsAuthenticatesEachTerminalOnceOverSipAndNeverInTls() {
        for (WayResult sipTls : sipTlsResults()) {
            assertEquals(0, sipTls.allRounds().signatures(Layer.TLS));
            assertEquals(sipTls.connections(sipTls.rounds()), sipTls.abbreviated(true) + sipTls.abbreviated(false));
            assertEquals(2 * sipTls.sip().registrations(), sipTls.allRounds().signatures(Layer.SIP));
            assertEquals(2 * sipTls.sip().registrations(), sipTls.allRounds().chainVerifications(Layer.SIP));
            assertEquals(ReportTables.terminals(sipTls), sipTls.sip().registrations());
            assertEquals(sipTls.firstRound().authentications(), sipTls.allRounds().authentications(),
                    "later connections add no authentication");
        }
    }

    @Test
    void sipTlsSessionsAreTheAssociationsTheKeyServerIssued() {
        for (WayResult sipTls : sipTlsResults()) {
            SipCounters sip = sipTls.sip();
            assertEquals(sipTls.sessions(sipTls.rounds()), sip.associationsIssued());
            assertEquals(sip.associationsIssued(), sip.obtained());
            assertEquals(sip.associationsIssued(), sip.accepted());
            assertEquals(sip.associationsIssued(), sip.relaysAnswered());
            assertEquals(0, sip.refusals());
        }
    }

    @Test
    void providersSeeEverySipTlsHandshakeResumeAnAssociation() {
        for (WayResult sipTls : sipTlsResults()) {
            assertEquals(2 * sipTls.connections(sipTls.rounds()), sipTls.sip().sipResumptions(),
                    "client and server side of every connection");
            assertEquals(0, sipTls.sip().fullHandshakes());
        }
    }

    @Test
    void sipTlsOnTls13MakesEveryConnectionATls13PskHandshake() {
        for (Map<Way, WayResult> c : List.of(result.case1(), result.case2())) {
            WayResult v13 = c.get(Way.SIP_TLS_13);
            long connections = v13.connections(v13.rounds());
            assertEquals(Map.of("TLSv1.3", connections), protocols(v13));
            assertEquals(2 * connections, v13.sip().tls13Handshakes(), "client and server side, by the providers");
            WayResult v12 = c.get(Way.SIP_TLS);
            assertEquals(Map.of("TLSv1.2", v12.connections(v12.rounds())), protocols(v12));
            assertEquals(0, v12.sip().tls13Handshakes(), "the TLS 1.2 way made TLS 1.3 PSK handshakes");
        }
    }

    @Test
    void sipTlsOnTls13CountsThePapersAuthenticationsAsOnTls12() {
        int n = result.options().terminals();
        assertEquals(4, result.case1().get(Way.SIP_TLS_13).firstRound().authentications(), "case 1: 4");
        assertEquals(2 * n, result.case2().get(Way.SIP_TLS_13).firstRound().authentications(), "case 2: 2n");
        for (Map<Way, WayResult> c : List.of(result.case1(), result.case2())) {
            assertEquals(c.get(Way.SIP_TLS).firstRound(), c.get(Way.SIP_TLS_13).firstRound(),
                    "signatures and chain verifications, TLS 1.3 against TLS 1.2");
            assertEquals(c.get(Way.SIP_TLS).allRounds().authentications(),
                    c.get(Way.SIP_TLS_13).allRounds().authentications());
        }
    }

    @Test
    void printsTheTls13WaysTimePerConnectionBesideTheOthers() {
        for (Way way : Way.values()) {
            assertTrue(printed.lines().anyMatch(l -> l.startsWith("|") && l.contains("| " + way.title() + " ")),
                    way.title() + " has no row in the time table:\n" + printed);
        }
        assertTrue(printed.contains("forward secrecy"), "the report does not say what TLS 1.3 adds");
    }

    @Test
    void sipMessagesPrintedAreThoseTheCountersImply() {
        for (WayResult sipTls : sipTlsResults()) {
            SipCounters sip = sipTls.sip();
            assertTrue(printed.contains(sipTls.way().title() + ": " + sip.messages() + " SIP messages"), printed);
        }
    }

    @Test
    void writesEveryPlotAsValidPng() throws Exception {
        List<Path> pngs = result.plots().stream().filter(p -> p.toString().endsWith(".png")).toList();
        assertEquals(3, pngs.size(), result.plots().toString());
        for (Path png : pngs) {
            byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, head, png.toString());
            BufferedImage image = ImageIO.read(png.toFile());
            assertTrue(image != null && image.getWidth() > 100 && image.getHeight() > 100, png.toString());
        }
    }

    @Test
    void writesEveryPlotAsValidSvg() throws Exception {
        List<Path> svgs = result.plots().stream().filter(p -> p.toString().endsWith(".svg")).toList();
        assertEquals(3, svgs.size(), result.plots().toString());
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        for (Path svg : svgs) {
            Document document = factory.newDocumentBuilder().parse(svg.toFile());
            assertEquals("svg", document.getDocumentElement().getLocalName(), svg.toString());
        }
    }

    @Test
    void leavesNoThreadBehind() {
        assertEquals(Set.of(), threadsAfter.stream().map(Thread::getName).collect(Collectors.toSet()));
    }

    /** Table 1's counted cells, in the printed or written text, against the run's counters. */
    private static void assertTableOne(String text) {
        List<String[]> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("|") && line.contains("# of ")) {
                rows.add(Arrays.stream(line.split("\\|")).skip(1).map(String::trim).toArray(String[]::new));
            }
        }
        assertEquals(10, rows.size(), "Table 1 has five rows per case:\n" + text);
        for (int i = 0; i < rows.size(); i++) {
            Map<Way, WayResult> c = i < 5 ? result.case1() : result.case2();
            String[] row = rows.get(i);
            int kind = i % 5;
            assertEquals(expected(c.get(Way.SIP_TLS), kind), Long.parseLong(row[3]), String.join("|", row));
            assertEquals(expected(c.get(Way.SIP_TLS_13), kind), Long.parseLong(row[4]), String.join("|", row));
            assertEquals(expected(c.get(Way.TRADITIONAL), kind), Long.parseLong(row[6]), String.join("|", row));
            assertEquals(expected(c.get(Way.RESUMPTION), kind), Long.parseLong(row[7]), String.join("|", row));
        }
        int n = result.options().terminals();
        int m = result.options().applications();
        assertEquals(List.of("4", "4", "" + 2 * m), List.of(rows.get(4)[3], rows.get(4)[4], rows.get(4)[6]),
                "case 1's authentications: SIP-TLS on TLS 1.2 and 1.3: 4, traditional: 2m");
        assertEquals(List.of("" + 2 * n, "" + 2 * n, "" + 2 * n * (n - 1)),
                List.of(rows.get(9)[3], rows.get(9)[4], rows.get(9)[6]),
                "case 2's authentications: 2n, 2n, 2n(n-1)");
    }

    /** Both SIP-TLS ways, both cases. */
    private static List<WayResult> sipTlsResults() {
        List<WayResult> out = new ArrayList<>();
        for (Map<Way, WayResult> c : List.of(result.case1(), result.case2())) {
            out.add(c.get(Way.SIP_TLS));
            out.add(c.get(Way.SIP_TLS_13));
        }
        return out;
    }

    /** How many of a way's connections negotiated each protocol. */
    private static Map<String, Long> protocols(WayResult r) {
        return r.samples().stream().collect(Collectors.groupingBy(Sample::protocol, Collectors.counting()));
    }

    /** Table 1's row {@code kind}, straight from the counters of the first round. */
    private static long expected(WayResult r, int kind) {
        return switch (kind) {
            case 0 -> r.select(true).stream().flatMap(s -> java.util.stream.Stream.of(s.link().client(),
                    s.link().server())).distinct().count();
            case 1 -> r.select(true).stream().map(s -> s.link().application()).distinct().count();
            case 2 -> r.select(true).stream().map(Sample::sessionId).distinct().count();
            case 3 -> r.sip().registrations();
            case 4 -> r.firstRound().signatures(Layer.TLS) + r.firstRound().signatures(Layer.SIP);
            default -> throw new IllegalArgumentException();
        };
    }

    /** Threads started since {@code before} still alive after a grace period, JDK daemons aside. */
    private static Set<Thread> threadsLeft(Set<Thread> before) throws InterruptedException {
        Set<Thread> left = Set.of();
        for (int i = 0; i < 50; i++) {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive() && !JDK_DAEMONS.contains(t.getName()))
                    .collect(Collectors.toSet());
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        }
        return left;
    }
}
