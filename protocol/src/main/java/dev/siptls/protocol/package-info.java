/**
 * The wire model of SIP-TLS: what an agent tells the key server about itself ({@link
 * dev.siptls.protocol.SecurityPolicy}), what the key server hands to both TLS peers ({@link
 * dev.siptls.protocol.SecurityAssociation}), and the hardened XML codec for both ({@link
 * dev.siptls.protocol.XmlCodec}).
 *
 * <p>Nothing here knows SIP stacks or TLS engines, so the key server and the agents share one
 * definition of a valid body and refuse the same things. Every value validates itself when built:
 * holding one means it is well-formed.
 */
package dev.siptls.protocol;
