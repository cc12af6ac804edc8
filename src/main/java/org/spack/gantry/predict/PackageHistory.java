package org.spack.gantry.predict;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spack.gantry.store.HistoryRow;

/**
 * One package's {@code develop} jobs, immutable, split the ways the queries select
 * them: by exact variants and by expensive variants. An update builds a new one, so a
 * prediction reads one consistent state without locking.
 */
final class PackageHistory {
    /** A value the spec names that no job of the package has: no row can match. */
    static final int UNKNOWN = -2;

    private final Map<String, Integer> versions = new HashMap<>();
    private final Map<String, Integer> compilerNames = new HashMap<>();
    private final Map<String, Integer> compilerVersions = new HashMap<>();
    private final Map<String, Partition> byVariants = new HashMap<>();
    /** A package has a handful of expensive-variant combinations: a scan beats hashing. */
    private final int[] expensiveKeys;
    private final Partition[] expensivePartitions;
    private final long revision;
    private final long lastId;
    private final int count;

    /**
     * @param rows the package's jobs in {@link org.spack.gantry.store.HistoryStore}'s order
     * @param revision unique to this state of the package (see {@link #revision()})
     */
    PackageHistory(List<HistoryRow> rows, long revision) {
        this.revision = revision;
        this.count = rows.size();
        Map<String, List<HistoryRow>> variantGroups = new LinkedHashMap<>();
        Map<Integer, List<HistoryRow>> expensiveGroups = new LinkedHashMap<>();
        Map<String, Integer> storedExpensive = new HashMap<>();
        long last = 0;
        for (HistoryRow j : rows) {
            last = Math.max(last, j.id());
            versions.putIfAbsent(j.version(), versions.size());
            compilerNames.putIfAbsent(j.compilerName(), compilerNames.size());
            compilerVersions.putIfAbsent(j.compilerVersion(), compilerVersions.size());
            variantGroups.computeIfAbsent(j.variants(), k -> new ArrayList<>()).add(j);
            int expensive = storedExpensive.computeIfAbsent(j.variants(), ExpensiveVariants::stored);
            if (ExpensiveVariants.acceptedBySomeSpec(expensive)) {
                expensiveGroups.computeIfAbsent(expensive, k -> new ArrayList<>()).add(j);
            }
        }
        this.lastId = last;
        variantGroups.forEach((k, group) -> byVariants.put(k, partition(group)));
        expensiveKeys = new int[expensiveGroups.size()];
        expensivePartitions = new Partition[expensiveGroups.size()];
        int i = 0;
        for (Map.Entry<Integer, List<HistoryRow>> e : expensiveGroups.entrySet()) {
            expensiveKeys[i] = e.getKey();
            expensivePartitions[i++] = partition(e.getValue());
        }
    }

    /** Differs between any two states of any package's history (positive). */
    long revision() {
        return revision;
    }

    /** The highest job id in it. */
    long lastId() {
        return lastId;
    }

    /** How many jobs it holds. */
    int count() {
        return count;
    }

    private Partition partition(List<HistoryRow> group) {
        return new Partition(group, versions, compilerNames, compilerVersions);
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

    /** The jobs the expensive-variant query with this requirement ({@link ExpensiveVariants#requirement}) accepts, or null. */
    Partition withExpensive(int requirement) {
        for (int i = 0; i < expensiveKeys.length; i++) {
            if (expensiveKeys[i] == requirement) return expensivePartitions[i];
        }
        return null;
    }
}
