package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.provider.SipTlsProvider;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.IntrospectionUtils;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;

/**
 * Unmodified embedded Tomcat with the connector of {@code META-INF-templates/tomcat-connector.xml}: an NIO
 * (SSLEngine) connector whose {@code SSLHostConfig} says {@code sslProtocol="SIP-TLS"}. Tomcat's JSSE code looks
 * that up with {@code SSLContext.getInstance("SIP-TLS")} among the installed providers, so the test installs a
 * configured SipTls provider with {@code Security.addProvider}, as java.security would. A SIP-TLS HTTPS client
 * resumes via SIP; a plain SunJSSE client still gets its page through a full handshake.
 */
@Timeout(120)
class TomcatTest {

    /** The servlet answers with the TLS session id (hex) and protocol Tomcat saw: {@code "<id> <protocol>"}. */
    private static final String SESSION_ID = "jakarta.servlet.request.ssl_session_id";
    private static final String PROTOCOL = "org.apache.tomcat.util.net.secure_protocol_version";

    @TempDir
    static Path dir;
    private static Deployment deployment;
    private static SipTlsProvider tomcatSide;
    private static Tomcat tomcat;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        deployment = Deployment.start(dir);
        port = Deployment.freePort();
        tomcatSide = deployment.provider("sip:www@example.com", Map.of("serve", "localhost:" + port));
        Security.addProvider(tomcatSide);
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createDirectories(dir.resolve("tomcat")).toString());
        tomcat.getService().addConnector(connectorFromTemplate());
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "session", new SessionServlet());
        context.addServletMappingDecoded("/session", "session");
        tomcat.start();
        tomcatSide.assertHealthy(Deployment.REGISTRATION);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (tomcat != null) {
                tomcat.stop();
                tomcat.destroy();
            }
        } finally {
            Security.removeProvider(SipTlsProvider.NAME);
            deployment.close();
        }
    }

    @Test
    void tomcatFindsTheInstalledSipTlsProvider() throws Exception {
        assertEquals(tomcatSide, SSLContext.getInstance("SIP-TLS").getProvider());
        assertTrue(tomcat.getService().findConnectors()[0].getState().isAvailable());
    }

    @Test
    void sipTlsHttpsClientResumesWithTheSessionOfTheAssociation() throws Exception {
        SipTlsProvider clientSide = deployment.provider("sip:browser@example.com", Map.of());
        SSLContext client = deployment.context(clientSide, null);
        clientSide.assertHealthy(Deployment.REGISTRATION);
        long resumedBefore = tomcatSide.statistics().getSipResumptionsAsServer();

        String[] seenByTomcat = get(client).split(" ");

        String sa = clientSide.associations().byPeer(new HostPort("localhost", port)).orElseThrow().sessionIdHex();
        assertEquals(sa, seenByTomcat[0], "Tomcat's TLS session is the SA's");
        assertEquals("TLSv1.3", seenByTomcat[1], "a TLS 1.3 SA: the PSK handshake");
        assertTrue(Polling.until(() -> tomcatSide.statistics().getSipResumptionsAsServer() > resumedBefore,
                Duration.ofSeconds(5)), "Tomcat's side counted no SIP resumption");
        assertEquals(1, clientSide.statistics().getSipResumptionsAsClient());
    }

    @Test
    void plainHttpsClientWithoutSipIsServedByAFullHandshake() throws Exception {
        long fullBefore = tomcatSide.statistics().getFullHandshakesAsServer();

        String[] seenByTomcat = get(deployment.plainClientContext()).split(" ");

        assertEquals("TLSv1.3", seenByTomcat[1], "a plain client gets what it offers: TLS 1.3, in full");
        assertTrue(Polling.until(() -> tomcatSide.statistics().getFullHandshakesAsServer() > fullBefore,
                Duration.ofSeconds(5)), "fallbacks: " + tomcatSide.statistics().getFallbacksByReason());
    }

    /** GET https://localhost:port/session with the given client context: "<session id> <protocol>". */
    private static String get(SSLContext client) throws IOException {
        HttpsURLConnection connection = (HttpsURLConnection) URI.create("https://localhost:" + port + "/session")
                .toURL().openConnection();
        connection.setSSLSocketFactory(client.getSocketFactory());
        connection.setRequestProperty("Connection", "close");
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(30_000);
        try (InputStream in = connection.getInputStream()) {
            assertEquals(200, connection.getResponseCode());
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
        } finally {
            connection.disconnect();
        }
    }

    /**
     * The template's {@code <Connector>} with its placeholders filled, applied attribute by attribute with
     * Tomcat's own {@link IntrospectionUtils}, as the server.xml digester does.
     */
    private static Connector connectorFromTemplate() throws Exception {
        Path keystore = deployment.keyStore("www.p12", deployment.tlsServer());
        String xml = Templates.render("tomcat-connector.xml", Map.of("port", String.valueOf(port),
                "address", "127.0.0.1", "keystore", keystore.toString(), "keystorePassword", Deployment.PASSWORD));
        Element element = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        assertEquals("Connector", element.getTagName());
        Connector connector = new Connector(element.getAttribute("protocol"));
        apply(element, (name, value) -> {
            if (!name.equals("protocol")) {
                set(connector, name, value);
            }
        });
        Element sslElement = (Element) element.getElementsByTagName("SSLHostConfig").item(0);
        SSLHostConfig ssl = new SSLHostConfig();
        apply(sslElement, (name, value) -> set(ssl, name, value));
        Element certElement = (Element) sslElement.getElementsByTagName("Certificate").item(0);
        SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(ssl,
                SSLHostConfigCertificate.Type.valueOf(certElement.getAttribute("type")));
        apply(certElement, (name, value) -> {
            if (!name.equals("type")) {
                set(certificate, name, value);
            }
        });
        ssl.addCertificate(certificate);
        connector.addSslHostConfig(ssl);
        return connector;
    }

    private static void set(Object target, String name, String value) {
        if (!IntrospectionUtils.setProperty(target, name, value)) {
            throw new AssertionError(target.getClass().getSimpleName() + " has no property " + name);
        }
    }

    private static void apply(Element element, java.util.function.BiConsumer<String, String> setter) {
        NamedNodeMap attributes = element.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            setter.accept(attributes.item(i).getNodeName(), attributes.item(i).getNodeValue());
        }
    }

    /** Answers with the TLS session id as Tomcat exposes it to servlets. */
    private static final class SessionServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.getWriter().print(request.getAttribute(SESSION_ID) + " " + request.getAttribute(PROTOCOL));
        }
    }
}
