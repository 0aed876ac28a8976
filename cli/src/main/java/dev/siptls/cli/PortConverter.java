package dev.siptls.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A port flag's value, refused by the parser (usage error, nothing touched yet) unless it is 0..65535. */
final class PortConverter implements ITypeConverter<Integer> {

    @Override
    public Integer convert(String value) {
        int port;
        try {
            port = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a port: give a number 0..65535");
        }
        if (port < 0 || port > 65535) {
            throw new TypeConversionException(port + " is not a port: give a number 0..65535");
        }
        return port;
    }
}
