package org.spack.gantry.spec;

/** One build as Spack asks about it: {@code name@version variants arch=ARCH%compiler@version}. */
public record Spec(
        String pkgName,
        String pkgVersion,
        Variants variants,
        String arch,
        String compilerName,
        String compilerVersion) {}
