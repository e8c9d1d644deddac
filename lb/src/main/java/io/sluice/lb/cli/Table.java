package io.sluice.lb.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table: columns as wide as their widest cell, numbers right-aligned. */
final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = List.of(headers);
    }

    Table row(Object... cells) {
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(c == null ? "-" : c.toString());
        }
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintWriter out, String indent) {
        int[] width = new int[headers.size()];
        boolean[] numeric = new boolean[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            width[i] = headers.get(i).length();
            numeric[i] = !rows.isEmpty();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < row.size() && i < width.length; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
                numeric[i] &= row.get(i).matches("-|[0-9.]+[kMG%]?(/s)?");
            }
        }
        line(out, indent, headers, width, numeric);
        for (List<String> row : rows) {
            line(out, indent, row, width, numeric);
        }
    }

    private static void line(PrintWriter out, String indent, List<String> cells, int[] width, boolean[] numeric) {
        StringBuilder b = new StringBuilder(indent);
        for (int i = 0; i < cells.size() && i < width.length; i++) {
            String cell = cells.get(i);
            String pad = " ".repeat(width[i] - cell.length());
            b.append(numeric[i] ? pad + cell : cell + (i == cells.size() - 1 ? "" : pad));
            if (i < cells.size() - 1) {
                b.append("  ");
            }
        }
        out.println(b.toString().stripTrailing());
    }
}
