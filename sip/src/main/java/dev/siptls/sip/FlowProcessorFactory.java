package dev.siptls.sip;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.OIOMessageProcessorFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import javax.sip.ListeningPoint;

/**
 * Gives a listening endpoint's TLS listening point the non-blocking {@link TlsFlowProcessor}; every other
 * transport (an agent's TLS, which dials out; the plain-TCP port for conformance tools) keeps JAIN-SIP's
 * blocking one, and so does a link between key servers ({@link SipEndpointConfig#interconnect()}).
 *
 * <p>Public only because JAIN-SIP instantiates it by name ({@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}).
 */
public final class FlowProcessorFactory implements MessageProcessorFactory {

    private final OIOMessageProcessorFactory blocking = new OIOMessageProcessorFactory();

    public FlowProcessorFactory() {
    }

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
            String transport) throws IOException {
        SipStackImpl impl = (SipStackImpl) stack;
        SipEndpointConfig config = EndpointRegistry.lookup(impl.getStackName());
        NetworkLayer network = impl.getNetworkLayer();
        if (ListeningPoint.TLS.equalsIgnoreCase(transport) && config.listening() && !config.interconnect()
                && network instanceof SipNetworkLayer sockets) {
            TlsFlowProcessor processor = new TlsFlowProcessor(address, port, stack, config, sockets.flows());
            sockets.adopt(processor);
            return processor;
        }
        return blocking.createMessageProcessor(stack, address, port, transport);
    }
}
