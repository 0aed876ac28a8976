/**
 * The SIP user agent a TLS peer runs beside itself (paper "TLS handshake method based on SIP", section 3):
 * {@link dev.siptls.agent.SipTlsAgent} registers with the key server and publishes the peer's policy,
 * obtains security associations as TLS client and accepts them as TLS server, and keeps them in an
 * {@link dev.siptls.agent.AssociationStore} that the JSSE provider reads. It knows SIP (docs/PROTOCOL.md),
 * not JSSE.
 */
package dev.siptls.agent;
