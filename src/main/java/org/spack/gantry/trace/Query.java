package org.spack.gantry.trace;

import java.util.List;
import org.spack.gantry.store.ReferenceQueries;
import org.spack.gantry.store.SampleRow;

/**
 * One of the reference's sample queries as it was run: its predictor's name ({@code
 * exact:N} or {@code expensive:N}), what it matched (the package, the variants text
 * exactly or, for an expensive query, each expensive variant's condition, and the
 * predictor's columns), the rows it selected, newest first, and whether they were enough.
 *
 * @param variantsJson the stored variants text an exact query compares with; null for an expensive query
 * @param expensive an expensive query's conditions; empty for an exact query
 */
public record Query(String predictor, String pkgName, String variantsJson, List<ReferenceQueries.Match> matches,
        List<ReferenceQueries.Expensive> expensive, List<SampleRow> rows, boolean accepted) {}
