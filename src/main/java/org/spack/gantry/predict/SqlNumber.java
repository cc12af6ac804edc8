package org.spack.gantry.predict;

/**
 * A numeric SQLite value (an {@code end} timestamp), compared as SQLite compares
 * them: exactly, integers against reals by value, {@code -0.0} equal to {@code 0}.
 * The reference stored some timestamps as reals and this project stores integers,
 * so one package's history can hold both.
 */
record SqlNumber(long integer, double real, boolean isReal) implements Comparable<SqlNumber> {

    static SqlNumber ofInteger(long value) {
        return new SqlNumber(value, 0, false);
    }

    static SqlNumber ofReal(double value) {
        return new SqlNumber(0, value, true);
    }

    @Override
    public int compareTo(SqlNumber o) {
        if (!isReal && !o.isReal) return Long.compare(integer, o.integer);
        if (isReal && o.isReal) return real < o.real ? -1 : real > o.real ? 1 : 0;
        if (!isReal) return intFloatCompare(integer, o.real);
        return -intFloatCompare(o.integer, real);
    }

    /** SQLite's sqlite3IntFloatCompare (reals here are never NaN: SQLite stores NaN as NULL). */
    static int intFloatCompare(long i, double r) {
        if (r < -9223372036854775808.0) return 1;
        if (r >= 9223372036854775808.0) return -1;
        long y = (long) r;
        if (i < y) return -1;
        if (i > y) return 1;
        double s = (double) i;
        return s < r ? -1 : s > r ? 1 : 0;
    }

    /**
     * Whether SQLite's {@code =} holds between this value and an integer: how a stored
     * {@code json_extract} result is matched against the expensive variant's integer.
     */
    boolean sqlEquals(long value) {
        return isReal ? intFloatCompare(value, real) == 0 : integer == value;
    }
}
