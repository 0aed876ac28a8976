package dev.siptls.bench.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A Markdown table with padded columns, so that the same text reads well on a terminal and in report.md. */
public final class MarkdownTable {

    private final List<String> header;
    private final boolean[] rightAligned;
    private final List<List<String>> rows = new ArrayList<>();

    /** @param columns header cells; one starting with {@code >} is right-aligned (the {@code >} is dropped) */
    public MarkdownTable(String... columns) {
        this.header = new ArrayList<>();
        this.rightAligned = new boolean[columns.length];
        for (int i = 0; i < columns.length; i++) {
            rightAligned[i] = columns[i].startsWith(">");
            header.add(rightAligned[i] ? columns[i].substring(1) : columns[i]);
        }
    }

    public MarkdownTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row of " + cells.length + " cells for " + header.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(String::valueOf).toList());
        return this;
    }

    @Override
    public String toString() {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = Math.max(3, header.get(i).length());
            for (List<String> row : rows) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, header, width);
        out.append('|');
        for (int i = 0; i < width.length; i++) {
            out.append(rightAligned[i] ? " " + "-".repeat(width[i] - 1) + ": |" : " " + "-".repeat(width[i]) + " |");
        }
        out.append('\n');
        for (List<String> row : rows) {
            line(out, row, width);
        }
        return out.toString();
    }

    private void line(StringBuilder out, List<String> cells, int[] width) {
        out.append('|');
        for (int i = 0; i < width.length; i++) {
            String cell = cells.get(i);
            String pad = " ".repeat(width[i] - cell.length());
            out.append(' ').append(rightAligned[i] ? pad + cell : cell + pad).append(" |");
        }
        out.append('\n');
    }
}
