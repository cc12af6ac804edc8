package org.spack.gantry.store;

/**
 * The six columns that name one build exactly, as {@code jobs} and {@code oom_kills}
 * hold them: what an OOM kill and a later successful build of the same spec share.
 */
public record ExactSpec(String pkgName, String pkgVersion, String variantsJson, String compilerName,
        String compilerVersion, String arch) {

    public static ExactSpec of(JobRow j) {
        return new ExactSpec(j.pkgName(), j.pkgVersion(), j.pkgVariants(), j.compilerName(), j.compilerVersion(), j.arch());
    }

    /** {@code name@version variants %compiler@version arch=...}, for log lines. */
    @Override
    public String toString() {
        return pkgName + "@" + pkgVersion + " " + variantsJson + " %" + compilerName + "@" + compilerVersion + " arch=" + arch;
    }
}
