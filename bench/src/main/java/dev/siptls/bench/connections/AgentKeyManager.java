package dev.siptls.bench.connections;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents, on each load connection, the certificate of the agent that connection belongs to: one
 * {@code SSLContext} for all agents, the engine telling whose handshake it is. An engine is assigned before
 * its handshake and forgotten after it.
 */
final class AgentKeyManager extends X509ExtendedKeyManager {

    private final AgentCertificates certificates;
    private final Map<SSLEngine, Integer> engines = new ConcurrentHashMap<>();

    AgentKeyManager(AgentCertificates certificates) {
        this.certificates = certificates;
    }

    void assign(SSLEngine engine, int agent) {
        engines.put(engine, agent);
    }

    void forget(SSLEngine engine) {
        engines.remove(engine);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        Integer agent = engines.get(engine);
        return agent != null && Arrays.asList(keyType).contains("EC") ? Integer.toString(agent) : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return certificates.chain(Integer.parseInt(alias));
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return certificates.key(Integer.parseInt(alias));
    }

    // A client only: no server aliases, and no sockets (the load runs on engines).
    @Override public String[] getClientAliases(String keyType, Principal[] issuers) { return null; }
    @Override public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) { return null; }
    @Override public String[] getServerAliases(String keyType, Principal[] issuers) { return null; }
    @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) { return null; }
}
