package org.spack.gantry.spec;

/**
 * Parses allocation specs as the reference does: its pattern matched from the start
 * (see {@link SpecPattern}), then the variants (see {@link Variants}).
 */
public final class SpecParser {
    public Spec parse(String text) {
        String[] g = SpecPattern.match(text);
        if (g == null) {
            throw new InvalidSpecException("spec does not match name@version variants arch=ARCH%compiler@version");
        }
        Variants variants = Variants.parse(g[2]);
        if (variants.isEmpty()) {
            throw new InvalidSpecException("spec has no variants");
        }
        return new Spec(g[0], g[1], variants, g[3], g[4], g[5]);
    }
}
