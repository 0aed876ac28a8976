package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC-java over grpc-netty (not the shaded copy): a unary call over TLS between SIP-TLS contexts resumes via
 * SIP. gRPC's own {@code GrpcSslContexts.configure(builder, provider)} refuses every provider but SunJSSE and
 * Conscrypt, and Netty's builder would ask the provider for "TLS"; so the application wraps its SIP-TLS
 * context in a {@link JdkSslContext} with what {@code GrpcSslContexts} would set: gRPC's suites
 * ({@link Http2SecurityUtil#CIPHERS}, filtered to those supported) and ALPN offering {@code h2}.
 */
@Timeout(120)
class GrpcTest {

    /** What GrpcSslContexts configures for the JDK provider: ALPN h2, which grpc-netty requires on both sides. */
    static final ApplicationProtocolConfig ALPN_H2 = new ApplicationProtocolConfig(Protocol.ALPN,
            SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2);

    private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> ECHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("siptls.Echo/Say")
            .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();

    @TempDir
    static Path dir;
    private static SipTlsPeers peers;
    private static Server server;
    private static volatile CompletableFuture<SSLSession> serverSession = new CompletableFuture<>();

    @BeforeAll
    static void start() throws Exception {
        peers = SipTlsPeers.start(dir);
        ServerServiceDefinition echo = ServerServiceDefinition.builder("siptls.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext("echo: " + request);
                    response.onCompleted();
                })).build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", peers.port))
                .sslContext(grpc(peers.server, false))
                .addService(ServerInterceptors.intercept(echo, new ServerSessionCapture())).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (server != null) {
                server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        } finally {
            peers.close();
        }
    }

    @Test
    void unaryCallOverTlsResumesViaSipWithGrpcsSuites() throws Exception {
        SipTlsPeers.Client client = peers.client("sip:grpc@example.com");
        SipTlsPeers.Before before = peers.before(client);
        serverSession = new CompletableFuture<>();
        CompletableFuture<SSLSession> clientSession = new CompletableFuture<>();
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", peers.port)
                .sslContext(grpc(client.context(), true)).build();
        try {
            Channel capturing = ClientInterceptors.intercept(channel, new ClientSessionCapture(clientSession));

            assertEquals("echo: hello", ClientCalls.blockingUnaryCall(capturing, ECHO,
                    CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), "hello"));

            before.assertResumedViaSip(clientSession.get(10, TimeUnit.SECONDS),
                    serverSession.get(10, TimeUnit.SECONDS));
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Why the application builds the JdkSslContext itself: gRPC's helper knows only SunJSSE and Conscrypt. */
    @Test
    void grpcsOwnHelperRefusesTheSipTlsProvider() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> GrpcSslContexts.configure(SslContextBuilder.forClient(), peers.serverSide));
        assertEquals("Unknown provider; can't configure: " + peers.serverSide, refused.getMessage());
    }

    /** The SIP-TLS context as gRPC wants it: gRPC's suites where supported, ALPN h2, the context's protocols. */
    static SslContext grpc(SSLContext context, boolean client) {
        return new JdkSslContext(context, client, Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE,
                ALPN_H2, ClientAuth.NONE, null, false);
    }

    /** Hands over the server's TLS session of each call. */
    private static final class ServerSessionCapture implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                ServerCallHandler<Q, A> next) {
            serverSession.complete(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
            return next.startCall(call, headers);
        }
    }

    /** Hands over the client's TLS session once the response headers arrive. */
    private record ClientSessionCapture(CompletableFuture<SSLSession> session) implements ClientInterceptor {
        @Override
        public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options,
                Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<A> listener, Metadata headers) {
                    ClientCall<Q, A> call = this;
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onHeaders(Metadata responseHeaders) {
                            session.complete(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                            super.onHeaders(responseHeaders);
                        }
                    }, headers);
                }
            };
        }
    }
}
