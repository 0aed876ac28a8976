package dev.siptls.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.DefaultRouter;
import gov.nist.javax.sip.stack.HopImpl;
import java.net.InetSocketAddress;
import java.util.ListIterator;
import java.util.Optional;
import java.util.function.Function;
import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.message.Request;

/**
 * Sends a request to an agent over the TLS connection the agent registered on (RFC 5626/5923 style). JAIN-SIP
 * caches every accepted connection under {@code tls:<peer ip>:<peer port>}, so a next hop of exactly that
 * address reuses the agent's own socket; this router maps a request (INVITE, ACK, BYE alike) to that hop
 * with the endpoint's flow table, and defers to the default router otherwise. A {@code Route} header alone is
 * not enough: the ACK and later requests would then go to the Contact.
 *
 * <p>Public only because JAIN-SIP instantiates it by name ({@code javax.sip.ROUTER_PATH}).
 */
public final class FlowRouter implements Router {

    private final DefaultRouter defaults;
    private final Function<Request, Optional<InetSocketAddress>> flows;

    public FlowRouter(SipStack stack, String outboundProxy) {
        this.defaults = new DefaultRouter(stack, outboundProxy);
        String name = ((SipStackImpl) stack).getStackName();
        this.flows = EndpointRegistry.lookup(name).flows().orElse(request -> Optional.empty());
    }

    @Override
    public Hop getNextHop(Request request) throws SipException {
        Optional<InetSocketAddress> flow = flows.apply(request);
        if (flow.isPresent()) {
            InetSocketAddress address = flow.get();
            return new HopImpl(address.getAddress().getHostAddress(), address.getPort(), "tls");
        }
        return defaults.getNextHop(request);
    }

    @Override
    public Hop getOutboundProxy() {
        return defaults.getOutboundProxy();
    }

    @Override
    @SuppressWarnings({"rawtypes", "deprecation"})
    public ListIterator getNextHops(Request request) {
        return defaults.getNextHops(request);
    }
}
