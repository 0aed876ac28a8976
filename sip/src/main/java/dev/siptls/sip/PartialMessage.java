package dev.siptls.sip;

import java.util.Arrays;

/**
 * The plaintext one connection received that does not yet make a whole SIP message, framed again with each
 * new piece. Held in a buffer that grows by doubling (up to the message size limit), so a message arriving a
 * byte at a time costs linear copying, not quadratic; released once empty, so an idle connection keeps none.
 * Every byte of plaintext it is given or kept is zeroed once framed: the caller's buffer when the call
 * returns, its own when consumed or released.
 */
final class PartialMessage {

    private final int maxMessageSize;
    private byte[] tail;
    private int length;
    private int searched;

    PartialMessage(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Frames {@code plaintext[0, count)} after what is kept, delivering every whole message to {@code sink};
     * zeroes {@code plaintext[0, count)}. False if the stream broke ({@link SipStreamFramer#brokenReason}).
     */
    boolean add(byte[] plaintext, int count, SipStreamFramer framer, SipStreamFramer.Sink sink) {
        try {
            if (length == 0) {
                int rest = framer.frame(plaintext, 0, count, 0, sink);
                if (rest == SipStreamFramer.BROKEN) {
                    return false;
                }
                keep(plaintext, rest, count - rest, framer.searched());
                return true;
            }
            grow(length + count);
            System.arraycopy(plaintext, 0, tail, length, count);
            length += count;
            int rest = framer.frame(tail, 0, length, searched, sink);
            if (rest == SipStreamFramer.BROKEN) {
                return false;
            }
            int left = length - rest;
            System.arraycopy(tail, rest, tail, 0, left);
            Arrays.fill(tail, left, length, (byte) 0);
            length = left;
            searched = framer.searched();
            if (length == 0) {
                tail = null;
            }
            return true;
        } finally {
            Arrays.fill(plaintext, 0, count, (byte) 0);
        }
    }

    private void keep(byte[] from, int offset, int count, int searchedSoFar) {
        if (count == 0) {
            return;
        }
        grow(count);
        System.arraycopy(from, offset, tail, 0, count);
        length = count;
        searched = searchedSoFar;
    }

    private void grow(int needed) {
        if (tail != null && tail.length >= needed) {
            return;
        }
        int doubled = tail == null ? 256 : Math.min(2 * tail.length, maxMessageSize);
        byte[] bigger = new byte[Math.max(needed, doubled)];
        if (tail != null) {
            System.arraycopy(tail, 0, bigger, 0, length);
            Arrays.fill(tail, (byte) 0);
        }
        tail = bigger;
    }

    /** Bytes of an unfinished message kept now. */
    int keptBytes() {
        return length;
    }

    /** Bytes of the buffer held now (its capacity: what the connection costs). */
    int heldBytes() {
        return tail == null ? 0 : tail.length;
    }

    /** The buffer itself, for tests that check it is zeroed. */
    byte[] buffer() {
        return tail;
    }

    /** Zeroes and drops what is kept. */
    void release() {
        if (tail != null) {
            Arrays.fill(tail, (byte) 0);
            tail = null;
        }
        length = 0;
        searched = 0;
    }
}
