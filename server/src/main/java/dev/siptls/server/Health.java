package dev.siptls.server;

/**
 * One answer of a health check: whether it holds, and if not, why, in one line an operator can act on.
 *
 * @param up whether the check holds
 * @param detail what holds, or why not
 */
public record Health(boolean up, String detail) {

    static Health up(String detail) {
        return new Health(true, detail);
    }

    static Health down(String why) {
        return new Health(false, why);
    }
}
