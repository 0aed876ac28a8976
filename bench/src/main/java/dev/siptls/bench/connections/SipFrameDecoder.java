package dev.siptls.bench.connections;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Cuts the decrypted stream from the key server into {@link SipFrame}s: a CRLF between messages is a
 * keep-alive answer; a message is its header block and Content-Length bytes of body (skipped).
 */
final class SipFrameDecoder extends ByteToMessageDecoder {

    private static final int MAX_HEAD = 16 * 1024;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            while (in.readableBytes() >= 2 && in.getByte(in.readerIndex()) == '\r'
                    && in.getByte(in.readerIndex() + 1) == '\n') {
                in.skipBytes(2);
                out.add(SipFrame.PONG);
            }
            int end = headEnd(in);
            if (end < 0) {
                if (in.readableBytes() > MAX_HEAD) {
                    throw new TooLongFrameException("no end of SIP headers within " + MAX_HEAD + " bytes");
                }
                return;
            }
            String head = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.UTF_8);
            int length = end + 4 - in.readerIndex() + SipFrame.contentLength(head);
            if (in.readableBytes() < length) {
                return;
            }
            in.skipBytes(length);
            out.add(SipFrame.parse(head));
        }
    }

    /** The index of the CRLFCRLF that ends the header block at the reader index, or -1. */
    private static int headEnd(ByteBuf in) {
        int last = in.writerIndex() - 4;
        for (int i = in.readerIndex(); i <= last; i++) {
            if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r'
                    && in.getByte(i + 3) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
