package dev.siptls.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value of {@code --metrics}: a usage error (exit 2, nothing touched yet) unless it is host:port with a port
 * 0..65535. Its host is looked up when the server starts, as {@code --bind}'s is.
 */
final class MetricsAddressConverter implements ITypeConverter<InetSocketAddress> {

    @Override
    public InetSocketAddress convert(String value) {
        try {
            return MetricsEndpoint.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
