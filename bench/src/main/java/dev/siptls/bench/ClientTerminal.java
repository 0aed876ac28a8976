package dev.siptls.bench;

import dev.siptls.provider.SipTlsProvider;
import dev.siptls.server.KeyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS client terminal of the load run: its own SIP-TLS provider and one context, as one application would
 * have. Each connection goes to {@code localhost:port}, echoes a few bytes (so the handshake has completed on
 * both sides) and says how its session came about.
 */
final class ClientTerminal implements AutoCloseable {

    static final int PAYLOAD_BYTES = 16;
    private static final int TIMEOUT_MILLIS = 30_000;

    /** How a connection's session came about. */
    enum Outcome {
        /** Built from a security association the key server distributed. */
        SIP_RESUMED,
        /** Resumed from BCJSSE's own cache (a session of an earlier full handshake). */
        NATIVE_RESUMED,
        /** A full handshake: the provider fell back, and counted why. */
        FULL_HANDSHAKE
    }

    private final SipTlsProvider provider;
    private final SSLSocketFactory sockets;

    private ClientTerminal(SipTlsProvider provider, SSLSocketFactory sockets) {
        this.provider = provider;
        this.sockets = sockets;
    }

    /** Configures {@code name}'s provider and starts its agent (the context's init does). */
    static ClientTerminal start(ProviderFiles files, String name, KeyServer keyServer)
            throws IOException, GeneralSecurityException {
        files.issue(name);
        SipTlsProvider provider = files.provider(name, keyServer, Map.of());
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX", "SunJSSE");
            tmf.init(files.trustStore());
            SSLContext context = SSLContext.getInstance(SipTlsProvider.PROTOCOL, provider);
            context.init(null, tmf.getTrustManagers(), new SecureRandom());
            return new ClientTerminal(provider, context.getSocketFactory());
        } catch (GeneralSecurityException | RuntimeException e) {
            provider.close();
            throw e;
        }
    }

    SipTlsProvider provider() {
        return provider;
    }

    /** One connection to {@code localhost:port} over loopback, closed before this returns. */
    Outcome connect(int port) throws IOException {
        long startMillis = System.currentTimeMillis();
        Socket raw = new Socket();
        try {
            raw.setTcpNoDelay(true);
            raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
            raw.setSoTimeout(TIMEOUT_MILLIS);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
        // The session is looked up by the name the server published, localhost:port.
        try (SSLSocket tls = (SSLSocket) sockets.createSocket(raw, "localhost", port, true)) {
            byte[] payload = new byte[PAYLOAD_BYTES];
            Arrays.fill(payload, (byte) port);
            OutputStream out = tls.getOutputStream();
            out.write(payload);
            out.flush();
            InputStream in = tls.getInputStream();
            if (!Arrays.equals(payload, in.readNBytes(PAYLOAD_BYTES))) {
                throw new IOException("echo from port " + port + " differs from what was sent");
            }
            SSLSession session = tls.getSession();
            if (session.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION) != null) {
                return Outcome.SIP_RESUMED;
            }
            return session.getCreationTime() < startMillis ? Outcome.NATIVE_RESUMED : Outcome.FULL_HANDSHAKE;
        }
    }

    @Override
    public void close() {
        provider.close();
    }
}
