package org.spack.gantry.store;

/** What differs in SQL between the engines Gantry runs on. */
public enum Dialect {
    SQLITE;

    /** The column compared byte by byte, as SQLite's default BINARY collation compares text. */
    public String binary(String column) {
        return column;
    }
}
