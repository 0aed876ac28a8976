/**
 * The SIP transport shared by the key server and the agents: JAIN-SIP set up for mutual TLS with each
 * endpoint's own in-memory identity ({@link dev.siptls.sip.SipEndpoint}).
 *
 * <p>A listening endpoint (a key server) accepts TLS on a non-blocking transport of its own
 * ({@link dev.siptls.sip.FlowProcessorFactory} gives JAIN-SIP a {@code TlsFlowProcessor} for that listening
 * point): one acceptor thread, {@code eventLoops} selector threads that each own their connections, and
 * {@code handshakeThreads} for the TLS handshakes' delegated tasks, however many connections are open. Each
 * connection has an {@code SSLEngine} and keeps only what must survive between two events (a partial record or
 * message, unsent ciphertext, queued plaintext); reads and wraps use the loop's buffers. SIP messages are
 * framed by Content-Length (RFC 3261 18.3; a CRLFCRLF ping gets a CRLF pong, RFC 5626 4.4.1; whatever could be
 * framed two ways, such as a missing Content-Length or a bare LF, closes the connection), checked against
 * {@code maxMessageSize} before anything is buffered, parsed by JAIN-SIP's parser and delivered through a
 * JAIN-SIP channel on the loop thread, so transactions, Via handling and the listener API are JAIN-SIP's.
 * Sends queue on the caller's thread and the loop writes them: no thread ever waits for a peer. The
 * handshake timeout and the keep-alive timeout are checked by the loops, not by a thread per connection. A
 * TLS 1.2 renegotiation closes the connection: its identity is the certificate of its first handshake.
 *
 * <p>Agents dial out and keep JAIN-SIP's blocking transport; so does the plain-TCP listener for conformance
 * tools ({@code PlainSocket}, written by a pool of writer threads that exist only while output is pending).
 */
package dev.siptls.sip;
