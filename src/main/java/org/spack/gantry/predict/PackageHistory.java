package org.spack.gantry.predict;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One package's {@code develop} jobs, immutable: an update builds a new one, so a
 * prediction always reads one consistent state without locking.
 */
final class PackageHistory {
    /** A value the spec names that no job of the package has: no row can match. */
    static final int UNKNOWN = -2;

    private final List<IndexedJob> jobs;
    private final Map<String, Integer> versions = new HashMap<>();
    private final Map<String, Integer> compilerNames = new HashMap<>();
    private final Map<String, Integer> compilerVersions = new HashMap<>();
    private final Map<String, Partition> byVariants = new HashMap<>();
    private final Map<List<Long>, Partition> byExpensive = new HashMap<>();

    private PackageHistory(List<IndexedJob> sorted) {
        this.jobs = sorted;
        Map<String, List<IndexedJob>> variantGroups = new LinkedHashMap<>();
        Map<List<Long>, List<IndexedJob>> expensiveGroups = new LinkedHashMap<>();
        for (IndexedJob j : sorted) {
            versions.putIfAbsent(j.version(), versions.size());
            compilerNames.putIfAbsent(j.compilerName(), compilerNames.size());
            compilerVersions.putIfAbsent(j.compilerVersion(), compilerVersions.size());
            variantGroups.computeIfAbsent(j.variants(), k -> new ArrayList<>()).add(j);
            if (j.expensive() != null) {
                expensiveGroups.computeIfAbsent(j.expensive(), k -> new ArrayList<>()).add(j);
            }
        }
        variantGroups.forEach((k, group) -> byVariants.put(k, partition(group)));
        expensiveGroups.forEach((k, group) -> byExpensive.put(k, partition(group)));
    }

    static PackageHistory of(List<IndexedJob> jobs) {
        List<IndexedJob> sorted = new ArrayList<>(jobs);
        sorted.sort(IndexedJob.SQLITE_ORDER);
        return new PackageHistory(sorted);
    }

    /** This history with more jobs: a new instance, this one is left as it is. */
    PackageHistory plus(List<IndexedJob> more) {
        List<IndexedJob> all = new ArrayList<>(jobs.size() + more.size());
        all.addAll(jobs);
        all.addAll(more);
        return of(all);
    }

    private Partition partition(List<IndexedJob> group) {
        return new Partition(group, versions, compilerNames, compilerVersions);
    }

    int size() {
        return jobs.size();
    }

    int versionId(String v) {
        return versions.getOrDefault(v, UNKNOWN);
    }

    int compilerNameId(String v) {
        return compilerNames.getOrDefault(v, UNKNOWN);
    }

    int compilerVersionId(String v) {
        return compilerVersions.getOrDefault(v, UNKNOWN);
    }

    /** The jobs whose stored variants are exactly this JSON text, or null. */
    Partition withVariants(String variantsJson) {
        return byVariants.get(variantsJson);
    }

    /** The jobs whose expensive variants match the requirement, or null. */
    Partition withExpensive(List<Long> requirement) {
        return byExpensive.get(requirement);
    }
}
