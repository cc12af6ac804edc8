package org.spack.gantry.trace;

import java.util.ArrayList;
import java.util.List;

/** A trace that keeps what it is told, in order, the operands written into each rule. */
public final class Recorder implements Trace {
    private final List<Query> queries = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final List<Kill> kills = new ArrayList<>();

    @Override
    public void query(Query query) {
        queries.add(query);
    }

    @Override
    public void step(String quantity, String rule, double result) {
        add(quantity, rule, result);
    }

    @Override
    public void step(String quantity, String rule, double a, double result) {
        add(quantity, rule, result, a);
    }

    @Override
    public void step(String quantity, String rule, double a, double b, double result) {
        add(quantity, rule, result, a, b);
    }

    @Override
    public void step(String quantity, String rule, double a, double b, double c, double result) {
        add(quantity, rule, result, a, b, c);
    }

    @Override
    public void kill(long buildId, long end, double memLimitBytes) {
        kills.add(new Kill(buildId, end, memLimitBytes));
    }

    private void add(String quantity, String rule, double result, double... operands) {
        StringBuilder formula = new StringBuilder(rule.length() + 16 * operands.length);
        int next = 0;
        for (int i = 0; i < rule.length(); i++) {
            if (rule.startsWith("%s", i) && next < operands.length) {
                formula.append(Numbers.plain(operands[next++]));
                i++;
            } else {
                formula.append(rule.charAt(i));
            }
        }
        steps.add(new Step(quantity, formula.toString(), result));
    }

    public List<Query> queries() {
        return List.copyOf(queries);
    }

    public List<Step> steps() {
        return List.copyOf(steps);
    }

    public List<Kill> kills() {
        return List.copyOf(kills);
    }
}
