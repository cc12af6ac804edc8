package org.spack.gantry.store;

/** A column of {@code jobs} that the reference's queries match a spec's part against. */
public enum SpecColumn {
    VERSION("pkg_version"), COMPILER_NAME("compiler_name"), COMPILER_VERSION("compiler_version");

    private final String column;

    SpecColumn(String column) {
        this.column = column;
    }

    public String column() {
        return column;
    }
}
