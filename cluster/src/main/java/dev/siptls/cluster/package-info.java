/**
 * Key servers as a cluster: {@link dev.siptls.cluster.ClusterNode} joins one (configured by
 * {@link dev.siptls.cluster.ClusterConfig}) and is the {@link dev.siptls.server.SharedState} the key server
 * consults, kept in embedded Infinispan over JGroups TCP with mutual TLS between nodes. Nothing else in SIP-TLS
 * depends on Infinispan or JGroups. docs/CLUSTER.md describes the state, the trust between nodes, failures and
 * the rule for splits.
 */
package dev.siptls.cluster;
